"""The bundled process library: one folder per process with its .bpmn and .dmn files (data only)."""
