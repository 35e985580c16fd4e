"""The eight services, one package each; `services.all_in_one` serves them together for local mode."""
