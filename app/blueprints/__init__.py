"""Blueprints: ``planner`` (maps), ``public`` (postcode lookup), ``downloads`` (files and map data), ``about``."""
