"""Trust, shown and enforced: what the build checks about each record and keeps beside it.

- :mod:`.freshness`: each category's freshness policy (``data/taxonomy.toml`` ``[trust]``) against the
  build's reference date: a record past it is "not recently checked";
- :mod:`.plausible`: plausibility checks (hours that end before they begin or sit at night, names that
  look like a person's, a category that does not fit the OSM tags or name, a point far from its
  postcode), each with the reason kept;
- :mod:`.duplicates`: the same place twice within a source or across curated sources, merged or flagged;
- :mod:`.food`: how to get food help from a food bank (sessions, referral or voucher, its own page);
- :mod:`.stage`: the build stage that adds these as columns of the merged assets;
- :mod:`.review`: the curators' list of records to look at, from a built area.
"""
