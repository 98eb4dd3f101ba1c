"""Model backends (embedded llama.cpp, Ollama, OpenAI-compatible servers).

Knows nothing of 65816: it serves whatever the experts ask for.
"""
