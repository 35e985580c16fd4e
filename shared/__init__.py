"""Common platform code for every service: settings, logging, auth, HTTP, data, sessions, TwiML."""
