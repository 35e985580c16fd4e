"""Calendly as the clinic calendar: client, sync queue, webhooks, merged availability, commands."""
