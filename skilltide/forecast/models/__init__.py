"""Forecasting models: small fit/predict classes over long panels (unique_id, ds, y).

The name -> class registry is in :mod:`skilltide.forecast.models.registry`.
"""
