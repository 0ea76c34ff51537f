"""Robust PLR for A2C: learn only from transitions played on replayed levels.

Robust Prioritized Level Replay (Jiang et al. 2021) plays new levels only to score them; gradients come from
replayed levels alone. :class:`ppcg.curricula.sb3_callback.CurriculumCallback` writes, at the end of every
rollout and before ``train()``, ``rollout_buffer.replay_mask``: a boolean ``(n_steps, n_envs)`` grid, True
where the step was played on a replayed level (see :mod:`ppcg.curricula.plr`).

* :class:`MaskedRolloutBuffer` flattens that mask exactly as the buffer flattens its own arrays and hands it
  out with each batch of samples (``samples.mask``, float 0/1); without a mask every transition counts.
* :class:`RobustA2C` is SB3's A2C update with each transition's policy, value and entropy terms weighted by
  the mask and averaged over the masked transitions only. A rollout without any replayed transition (while
  PLR's buffer is still filling) makes no gradient step.

With an all-True mask the update equals SB3's A2C exactly (a test checks it).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, NamedTuple

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3 import A2C, PPO
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.utils import explained_variance

__all__ = ["MaskedRolloutBuffer", "MaskedRolloutSamples", "RobustA2C", "RobustPPO"]


class MaskedRolloutSamples(NamedTuple):
    """SB3's rollout samples plus ``mask`` (1.0: learn from this transition, 0.0: ignore it)."""

    observations: th.Tensor
    actions: th.Tensor
    old_values: th.Tensor
    old_log_prob: th.Tensor
    advantages: th.Tensor
    returns: th.Tensor
    mask: th.Tensor


class MaskedRolloutBuffer(RolloutBuffer):
    """A rollout buffer that carries ``replay_mask`` (set by the curriculum callback) into its samples."""

    replay_mask: np.ndarray | None = None

    def reset(self) -> None:
        super().reset()
        self.replay_mask = None
        self._flat_mask: np.ndarray | None = None

    def get(self, batch_size: int | None = None) -> Generator[MaskedRolloutSamples, None, None]:  # type: ignore[override]
        assert self.full, "the rollout buffer is not full"
        if not self.generator_ready:
            mask = self.replay_mask
            if mask is None:
                mask = np.ones((self.buffer_size, self.n_envs), dtype=bool)
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (self.buffer_size, self.n_envs):
                raise ValueError(
                    f"replay_mask has shape {mask.shape}, expected {(self.buffer_size, self.n_envs)}"
                )
            self._flat_mask = self.swap_and_flatten(mask.astype(np.float32)[..., None])
        parent = super().get(batch_size)
        # The parent draws the permutation; we take the same indices for the mask by sampling through
        # _get_samples.
        yield from parent

    def _get_samples(self, batch_inds: np.ndarray, env: Any = None) -> MaskedRolloutSamples:  # type: ignore[override]
        base = super()._get_samples(batch_inds, env)
        mask = self.to_torch(self._flat_mask[batch_inds].flatten())
        return MaskedRolloutSamples(*base, mask)


class RobustA2C(A2C):
    """A2C whose update uses only the transitions that ``rollout_buffer.replay_mask`` selects (robust PLR)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rollout_buffer_class", MaskedRolloutBuffer)
        super().__init__(*args, **kwargs)

    def train(self) -> None:
        """One gradient step on the masked rollout (none when nothing in it was replayed)."""
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        used = 0.0
        for data in self.rollout_buffer.get(batch_size=None):
            w = data.mask
            used = float(w.sum())
            if used == 0.0:
                break
            actions = data.actions
            if isinstance(self.action_space, spaces.Discrete):
                actions = actions.long().flatten()
            values, log_prob, entropy = self.policy.evaluate_actions(data.observations, actions)
            values = values.flatten()
            advantages = data.advantages
            if self.normalize_advantage:
                mean = (advantages * w).sum() / used
                std = th.sqrt(((advantages - mean) ** 2 * w).sum() / max(used - 1.0, 1.0))
                advantages = (advantages - mean) / (std + 1e-8)
            policy_loss = -(advantages * log_prob * w).sum() / used
            value_loss = ((data.returns - values) ** 2 * w).sum() / used
            entropy_term = -log_prob if entropy is None else entropy
            entropy_loss = -(entropy_term * w).sum() / used
            loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss
            self.policy.optimizer.zero_grad()
            loss.backward()
            th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
            self.policy.optimizer.step()
            self.logger.record("train/entropy_loss", entropy_loss.item())
            self.logger.record("train/policy_loss", policy_loss.item())
            self.logger.record("train/value_loss", value_loss.item())
        self.logger.record("train/replayed_fraction", used / (self.rollout_buffer.buffer_size * self.n_envs))
        if used > 0:
            self._n_updates += 1
            ev = explained_variance(
                self.rollout_buffer.values.flatten(), self.rollout_buffer.returns.flatten()
            )
            self.logger.record("train/explained_variance", ev)
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")


def _masked_mean(x: th.Tensor, w: th.Tensor, n: float) -> th.Tensor:
    return (x * w).sum() / n


class RobustPPO(PPO):
    """PPO whose update uses only the transitions that ``rollout_buffer.replay_mask`` selects (robust PLR)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rollout_buffer_class", MaskedRolloutBuffer)
        super().__init__(*args, **kwargs)

    def train(self) -> None:
        """SB3's PPO epochs and minibatches, masked means; minibatches with nothing replayed are skipped."""
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        clip_range = self.clip_range(self._current_progress_remaining)  # type: ignore[operator]
        clip_range_vf = None
        if self.clip_range_vf is not None:
            clip_range_vf = self.clip_range_vf(self._current_progress_remaining)  # type: ignore[operator]
        entropy_losses, pg_losses, value_losses, clip_fractions, approx_kl_divs = [], [], [], [], []
        used_total = 0.0
        continue_training = True
        for epoch in range(self.n_epochs):
            for data in self.rollout_buffer.get(self.batch_size):
                w = data.mask
                used = float(w.sum())
                if used == 0.0:
                    continue
                used_total += used if epoch == 0 else 0.0
                actions = data.actions
                if isinstance(self.action_space, spaces.Discrete):
                    actions = data.actions.long().flatten()
                values, log_prob, entropy = self.policy.evaluate_actions(data.observations, actions)
                values = values.flatten()
                advantages = data.advantages
                if self.normalize_advantage and used > 1:
                    mean = _masked_mean(advantages, w, used)
                    std = th.sqrt(((advantages - mean) ** 2 * w).sum() / (used - 1.0))
                    advantages = (advantages - mean) / (std + 1e-8)
                ratio = th.exp(log_prob - data.old_log_prob)
                surrogate = th.min(
                    advantages * ratio, advantages * th.clamp(ratio, 1 - clip_range, 1 + clip_range)
                )
                policy_loss = -_masked_mean(surrogate, w, used)
                pg_losses.append(policy_loss.item())
                clip_fractions.append(_masked_mean((th.abs(ratio - 1) > clip_range).float(), w, used).item())
                if clip_range_vf is None:
                    values_pred = values
                else:
                    values_pred = data.old_values + th.clamp(
                        values - data.old_values, -clip_range_vf, clip_range_vf
                    )
                value_loss = _masked_mean((data.returns - values_pred) ** 2, w, used)
                value_losses.append(value_loss.item())
                entropy_term = -log_prob if entropy is None else entropy
                entropy_loss = -_masked_mean(entropy_term, w, used)
                entropy_losses.append(entropy_loss.item())
                loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss
                with th.no_grad():
                    log_ratio = log_prob - data.old_log_prob
                    approx_kl_div = _masked_mean((th.exp(log_ratio) - 1) - log_ratio, w, used).cpu().numpy()
                    approx_kl_divs.append(approx_kl_div)
                if self.target_kl is not None and approx_kl_div > 1.5 * self.target_kl:
                    continue_training = False
                    break
                self.policy.optimizer.zero_grad()
                loss.backward()
                th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
                self.policy.optimizer.step()
            if pg_losses:
                self._n_updates += 1
            if not continue_training:
                break
        self.logger.record(
            "train/replayed_fraction", used_total / (self.rollout_buffer.buffer_size * self.n_envs)
        )
        if pg_losses:
            ev = explained_variance(
                self.rollout_buffer.values.flatten(), self.rollout_buffer.returns.flatten()
            )
            self.logger.record("train/entropy_loss", np.mean(entropy_losses))
            self.logger.record("train/policy_gradient_loss", np.mean(pg_losses))
            self.logger.record("train/value_loss", np.mean(value_losses))
            self.logger.record("train/approx_kl", np.mean(approx_kl_divs))
            self.logger.record("train/clip_fraction", np.mean(clip_fractions))
            self.logger.record("train/explained_variance", ev)
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/clip_range", clip_range)
