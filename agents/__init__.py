"""Agents: Stable-Baselines3 training, evaluation and the paper's experiment (installed as ``ppcg.agents``).

This is the only package, besides :mod:`ppcg.curricula.sb3_callback`, that imports Stable-Baselines3 or torch.
"""
