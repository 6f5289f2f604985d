"""Open Referral UK (HSDS 3.0 UK profile): assets as services, the taxonomy as terms.

One asset's records (``records``), opening hours as HSDS schedules (``schedules``) and the
catalogue that serves them, filtered and paged (``catalogue``).
"""
