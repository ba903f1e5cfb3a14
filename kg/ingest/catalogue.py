"""The source files the build imports: where each lies below ``data/sources``, its graph and provenance."""

from __future__ import annotations

from dataclasses import dataclass

from kg.ingest.provenance import CC_BY, CC_BY_SA, SourceDataset
from kg.namespaces import ID

AIAAIC_ATTRIBUTION = (
    "Data from the AIAAIC Repository (https://www.aiaaic.org/aiaaic-repository) by AIAAIC, "
    "CC BY-SA 4.0; non-commercial public-interest use only (https://www.aiaaic.org/terms)."
)
AIID_ATTRIBUTION = (
    "Data from the AI Incident Database (https://incidentdatabase.ai) by the Responsible AI "
    "Collaborative, CC BY-SA 4.0; report contents excluded."
)
MIT_ATTRIBUTION = "Slattery et al., The AI Risk Repository (https://airisk.mit.edu), MIT FutureTech, CC BY 4.0."


@dataclass(frozen=True)
class SourceFile:
    """One file below ``data/sources`` and the dataset it is."""

    path: str
    dataset: SourceDataset


def _aiaaic(snapshot: str, origin: str) -> SourceFile:
    return SourceFile(
        f"aiaaic/aiaaic_incidents_{snapshot}.csv",
        SourceDataset(
            f"aiaaic-{snapshot}",
            f"aiaaic/{snapshot}",
            f"AIAAIC Repository export {snapshot}",
            ID["org/aiaaic"],
            snapshot,
            origin,
            CC_BY_SA,
            AIAAIC_ATTRIBUTION,
        ),
    )


def _aiid(key: str, path: str, graph: str, title: str, snapshot: str, origin: str) -> SourceFile:
    return SourceFile(
        path,
        SourceDataset(
            key, graph, title, ID["org/responsible-ai-collaborative"], snapshot, origin, CC_BY_SA, AIID_ATTRIBUTION
        ),
    )


_SNAPSHOT = "https://github.com/TanviPatel9722/AI-incident-snapshot/tree/ab4be53f35a8d0e4127209290c289e43411afe65/data"
_MIT = "https://github.com/xaitax/MIT-AI-Risk-Repository-Converter/tree/8dbb778f60d84ab7e1894cf115ef3bf7b38dc6e9"

AIAAIC_2026_05 = _aiaaic(
    "2026-05",
    "https://github.com/rubythelot/aiaaic-chatbot-harm-atlas/blob/"
    "4987508ead301babb8e0a33e5e711fb6a96046db/data/AIAAIC%20Repository%20-%20Incidents.csv",
)
AIAAIC_2025_12 = _aiaaic(
    "2025-12",
    "https://github.com/cartesiosson/ai_act_project/blob/"
    "08f129d66530635a44cb16dfe75ee17cb300fd66/forensic_agent/benchmark/data/"
    "AIAAIC%20Repository%20-%20Incidents.csv",
)
AIID_2026_06 = _aiid(
    "aiid-2026-06",
    "aiid/incidents_2026-06.csv",
    "aiid/2026-06",
    "AI Incident Database incidents 2026-06",
    "2026-06",
    "https://github.com/njsuthe/AI-Futures/blob/9a6dcd42f7b220ec0f1af268a8bc2e26a744d894/data/raw/incidents.csv",
)
AIID_2026_02 = _aiid(
    "aiid-2026-02",
    "aiid/snapshot_2026-02/incidents.csv",
    "aiid/2026-02",
    "AI Incident Database snapshot 2026-02",
    "2026-02",
    _SNAPSHOT,
)
AIID_DUPLICATES = _aiid(
    "aiid-2026-02-duplicates",
    "aiid/snapshot_2026-02/duplicates.csv",
    "aiid/2026-02",
    "AI Incident Database snapshot 2026-02, duplicates",
    "2026-02",
    _SNAPSHOT,
)
AIID_MIT = _aiid(
    "aiid-2026-02-mit",
    "aiid/snapshot_2026-02/classifications_MIT.csv",
    "aiid/2026-02/mit",
    "AI Incident Database snapshot 2026-02, MIT risk classifications",
    "2026-02",
    _SNAPSHOT,
)
AIID_GMF = _aiid(
    "aiid-2026-02-gmf",
    "aiid/snapshot_2026-02/classifications_GMF.csv",
    "aiid/2026-02/gmf",
    "AI Incident Database snapshot 2026-02, GMF classifications",
    "2026-02",
    _SNAPSHOT,
)
AIID_CSET = _aiid(
    "aiid-2026-02-cset-v1",
    "aiid/snapshot_2026-02/classifications_CSETv1.csv",
    "aiid/2026-02/cset-v1",
    "AI Incident Database snapshot 2026-02, CSETv1 classifications",
    "2026-02",
    _SNAPSHOT,
)
MIT_DOMAINS = SourceFile(
    "mit-ai-risk/domain_taxonomy_v3.csv",
    SourceDataset(
        "mit-ai-risk-v3-domains",
        "mit-ai-risk/v3",
        "MIT AI Risk Repository v3, Domain Taxonomy of AI Risks",
        ID["org/mit-futuretech"],
        "2025-03-26",
        _MIT,
        CC_BY,
        MIT_ATTRIBUTION,
    ),
)
MIT_RISKS = SourceFile(
    "mit-ai-risk/ai_risk_database_v3.csv",
    SourceDataset(
        "mit-ai-risk-v3",
        "mit-ai-risk/v3",
        "MIT AI Risk Repository v3, AI Risk Database",
        ID["org/mit-futuretech"],
        "2025-03-26",
        _MIT,
        CC_BY,
        MIT_ATTRIBUTION,
    ),
)
OECD_SAMPLE = SourceFile(
    "oecd-aim/oecd_aim_fatal_incidents_sample.csv",
    SourceDataset(
        "oecd-aim-sample",
        "oecd-aim/sample",
        "OECD AI Incidents Monitor, sample of fatal incidents",
        ID["org/oecd"],
        "2025-12",
        "https://github.com/eutheorem/fatal-incidents-involving-AI/tree/"
        "151c80fd790c557cfa07691eceb65cb51c36e181/OECD/xls",
        None,
        "Data from the OECD AI Incidents Monitor (https://oecd.ai/en/incidents); the OECD's terms are not stated.",
    ),
)
