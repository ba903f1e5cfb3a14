"""Incidents in the shape of reporting frameworks (the OECD common reporting framework, the EU AI Act's Art. 73
template): the crosswalk from our model to their fields, records per framework, profile reports and coverage."""
