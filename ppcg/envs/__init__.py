"""Gymnasium environments over the compiled engine: single envs, native vector envs, rendering and play."""
