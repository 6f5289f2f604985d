"""assetmap: community assets, neighbourhoods, deprivation and access for English areas."""
__version__ = "0.1.0"
