"""Coverage-guided fuzzing (atheris) of the stages that read what outlets send: ``make fuzz``."""
