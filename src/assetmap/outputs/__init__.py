"""A build's outputs: written by the build, read back for serving, exported for other directories.

``write`` saves GeoParquet, GeoPackage, the pre-serialised downloads and ``report.json``;
``read`` loads a build directory once for serving (:class:`~assetmap.outputs.read.AreaResults`);
``exports`` turns an area or the registry into Open Referral UK JSON or spreadsheet-safe CSV.
"""
