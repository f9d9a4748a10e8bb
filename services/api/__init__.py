"""The JSON API: controllers, middleware, problems and the app factory."""
