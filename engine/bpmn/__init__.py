"""SpiffWorkflow extended for CivicFlow: safe XML, the Camunda dialect we need, the restricted
script engine, and state serialization without the spec."""
