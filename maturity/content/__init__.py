"""Content: YAML files for models, surveys and playbooks, validated into frozen definitions."""
