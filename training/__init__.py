"""Training of the assistant's extractive reader: SQuAD windows in, the shipped int8 ONNX reader out.

Runs outside the installed package (`make reader`); nothing in `assistant/` imports it.
"""
