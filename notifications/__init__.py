"""Notifications: message templates, the outbox and its delivery, PDF rendering.

Subscribes to the engine's domain events (engine.events); the engine never imports this package.
Messages are written to the outbox in the same transaction as the change that causes them and
delivered by a scheduler job after the commit.
"""
