"""Interaction effects added for the GVGAI corpus: one tiny game each (tests/games/effect_<name>.txt) and the
exact transition GVGAI's rule gives. Positions are GVGAI pixels (block size 10); ids follow GVGAI's creation
order."""

from __future__ import annotations

from pathlib import Path

from tests.test_engine_mechanics import Run as MechanicRun

GAMES = Path(__file__).parent / "games"


class Run(MechanicRun):
    """A one-environment engine on ``tests/games/effect_<game>.txt``, stepped by action names."""

    prefix = "effect_"


def test_bounce_forward_pushes_and_undo_all_reverts_everything():
    r = Run("push", "wwwwww\nwAb..w\nwwwwww\n")
    r.step("RIGHT")
    assert (r.avatar["x"], r.at("box")) == (20, [(30, 10)])
    r.step("RIGHT")
    assert (r.avatar["x"], r.at("box")) == (30, [(40, 10)])
    r.step("RIGHT")  # the box would enter the wall: undoAll puts the box and the avatar back
    assert (r.avatar["x"], r.at("box")) == (30, [(40, 10)])
    r.step("LEFT")
    assert (r.avatar["x"], r.at("box")) == (20, [(40, 10)])  # pushing never pulls


def test_undo_all_on_a_box_pushed_into_a_box():
    r = Run("push", "wwwwww\nwAbb.w\nwwwwww\n")
    r.step("RIGHT")
    assert (r.avatar["x"], r.at("box")) == (10, [(20, 10), (30, 10)])


def test_kill_both_scores_once_and_removes_the_pair():
    r = Run("killboth", "wwwwww\nwt.rAw\nwwwwww\n")
    r.step("NIL", "NIL")
    assert r.at("rock") == [(20, 10)] and r.winner == 0  # no move on the first tick
    r.step("NIL")
    assert r.at("rock") == [] and r.at("target") == []
    assert r.score == 3 and r.winner == 1


def test_health_points_time_effect_potion_and_spikes():
    r = Run("health", "wwwwww\nwAps.w\nwwwwww\n")
    assert r.avatar["hp"] == 4
    r.step("RIGHT")  # TIME fires at the first tick (4 -> 3), then the potion: 3 + 2 < limit 6
    assert (r.avatar["hp"], r.score, r.at("potion")) == (5, 1, [])
    r.step("RIGHT")  # onto the spike
    assert (r.avatar["hp"], r.score) == (4, -1)
    r.step("NIL")
    assert (r.avatar["hp"], r.score) == (3, -3)
    r.step("NIL")  # tick 3: TIME again, then the spike
    assert (r.avatar["hp"], r.score) == (1, -5)
    r.step("NIL")  # 0 <= limit: killed, and the score change becomes scoreChangeIfKilled (0)
    assert r.avatar["hp"] == 0 and r.avatar["disabled"] and r.score == -5 and r.winner == -1


def test_add_timer_fires_transform_to_all_later_and_scores_twice():
    r = Run("timer", "wwwwww\nwAboow\nwwwwww\n")
    r.step("RIGHT")  # tick 0 on the button: a timer for tick 3
    assert r.score == 2
    r.step("LEFT", "NIL")
    assert len(r.at("off")) == 2 and r.at("on") == [] and r.score == 2
    r.step("NIL")  # tick 3: every 'off' becomes 'on' (new sprites), and the timer's score counts again
    assert r.at("off") == [] and r.at("on") == [(30, 10), (40, 10)] and r.score == 4


def test_collect_if_held_kill_all_and_kill_if_has_more():
    r = Run("resources", "wwwwwwww\nwAgkgbtw\nwmmm.m.w\nwwwwwwww\n")
    r.step("RIGHT")  # a gem without a key: nothing
    assert r.at("gem") == [(20, 10), (40, 10)] and r.score == 0
    r.step("RIGHT", "RIGHT")  # the key, then a gem (value 2)
    assert r.avatar["resources"] == {"key": 1, "gem": 2} and r.at("gem") == [(20, 10)] and r.score == 1
    r.step("RIGHT")  # the bomb: every mine goes
    assert r.at("mine") == [] and r.score == 6
    r.step("RIGHT")  # greed: 2 gems >= 2
    assert r.avatar["disabled"] and r.score == 3 and r.winner == -1


def test_kill_if_has_less():
    r = Run("resources", "wwwww\nwApkw\nwwwww\n")
    r.step("RIGHT")
    assert r.avatar["disabled"] and r.winner == -1


def test_attract_gaze_and_set_speed_for_all():
    r = Run("gaze", "wwwwww\nwb.u.w\nw....w\nwAs..w\nwr...w\nwwwwww\n")
    r.step("RIGHT")  # onto 'start': rocks get 5 px a tick (they rested at speed 0); the ball's first tick
    assert r.at("ball") == [(10, 10)] and r.at("rock") == [(10, 40)]
    r.step("NIL")
    assert r.at("ball") == [(20, 10)] and r.at("rock") == [(15, 40)]
    r.step("NIL")  # the ball reaches the arrow and takes its orientation (UP)
    assert r.at("ball") == [(30, 10)] and r.at("rock") == [(20, 40)]
    r.step("NIL")
    assert r.at("ball") == [(30, 0)]


def test_transform_to_singleton_and_spawns_beside():
    r = Run("singleton", "wwwwwww\nw....tw\nwApb..w\nwwwwwww\n")
    r.step("NIL", "NIL", "NIL", "NIL", "NIL")  # the shot flies left from x=50 (not on its first tick)
    assert r.at("shot") == [(10, 10)] and r.at("portal") == []
    r.step("NIL")  # it hits the wall at x=0: that wall becomes the portal, facing against the shot
    assert r.at("portal") == [(0, 10)] and r.at("shot") == [] and (0, 10) not in r.at("wall")
    r.step("RIGHT")  # onto the pad: the avatar's last cell no longer overlaps it, so a trail there
    assert r.at("trail") == [(10, 20)] and r.at("marker") == []
    r.step("RIGHT")  # onto the bell: a marker right of the avatar's last position (x=20)
    assert r.at("marker") == [(30, 20)] and r.at("trail") == [(10, 20)]


# GVGAI's own traces of corpus games that lean on these effects (every trace of each game must be identical):
# undoAll/bounceForward (sokoban, thecitadel), killBoth (bait), TIME and health points (hungrybirds,
# roadfighter), attractGaze (chainreaction), transformToAll/flipDirection (digdug), killAll (doorkoban),
# killIfFrontal (lasers), killIfHasLess (chipschallenge), teleportToExit/align/setSpeedForAll (circuit),
# spawnLeft.. (slide), transformToSingleton (realportals), collectResourceIfHeld (cakybaky), killIfHasMore
# (waferthinmints), addTimer (deflection), turnAround (aliens), transformIfCount (mirrors), spawnBehind
# (decepticoins).
EFFECT_GAMES = ["sokoban", "thecitadel", "bait", "hungrybirds", "roadfighter", "chainreaction", "digdug",
                "doorkoban", "lasers", "chipschallenge", "circuit", "slide", "realportals", "cakybaky",
                "waferthinmints", "deflection", "aliens", "mirrors", "decepticoins"]


def test_corpus_games_using_these_effects_match_gvgai(traces_dir, corpus_dir):
    from ppcg.engine.conformance import check_games

    reports = check_games(traces_dir, corpus_dir, EFFECT_GAMES)
    assert {r.game: r.status for r in reports} == {g: "identical" for g in EFFECT_GAMES}, [
        (r.game, r.detail) for r in reports if r.status != "identical"]


def test_turn_around_steps_back_drops_two_moves_and_reverses():
    r = Run("turn", ".a.e..\n......\n......\n....A.\n")
    r.step("NIL", "NIL")
    assert r.at("alien") == [(20, 0)]
    r.step("NIL")  # onto the edge marker at x=30: back to x=20, two moves down, now facing LEFT
    assert r.at("alien") == [(20, 20)]
    r.step("NIL")
    assert r.at("alien") == [(10, 20)]


def test_flip_direction_draws_a_base_direction():
    from ppcg.engine.jrandom import JavaRandom

    for seed in (0, 1, 2, 3):
        r = Run("turn", "......\n.As...\n......\n", seed=seed)
        r.step("RIGHT")  # the avatar walks onto the spinner: one nextInt(4) into (UP, LEFT, DOWN, RIGHT)
        k = JavaRandom(seed).nextInt(4)
        dx, dy = [(0, -1), (-1, 0), (0, 1), (1, 0)][k]
        st = r.engine.get_state(0).arrays["si"]
        from ppcg.engine import layout as L

        spinner = [s for s in range(st.shape[0]) if st[s, L.SI_TYPE] == r.game.type_index["spinner"]][0]
        assert (int(st[spinner, L.SI_OX]), int(st[spinner, L.SI_OY])) == (dx, dy)


def test_undo_all_spares_the_types_in_not_stype():
    r = Run("turn", "r.....\n......\nAk....\n")
    r.step("NIL", "NIL")
    assert r.at("rock") == [(0, 10)] and r.avatar["x"] == 0
    r.step("RIGHT")  # onto the sink: everything moves back, except the falling rock
    assert r.at("rock") == [(0, 20)] and r.avatar["x"] == 0


def test_step_back_pixel_perfect_stops_flush_against_the_wall():
    r = Run("pixel", "e....w\nr....w\nA.....\n")
    r.step(*["NIL"] * 14)  # 3 px a tick from the second tick: x = 39
    assert r.at("exact") == [(39, 0)] and r.at("rough") == [(39, 10)]
    r.step("NIL")  # x = 42 overlaps the wall at x = 50
    assert r.at("exact") == [(40, 0)] and r.at("rough") == [(39, 10)]
    r.step("NIL")
    assert r.at("exact") == [(40, 0)] and r.at("rough") == [(39, 10)]


def test_teleport_to_exit_and_align():
    from ppcg.engine.jrandom import JavaRandom

    for seed in (0, 1, 5):
        r = Run("portal", "A.n.x\n....x\ncl...\n", seed=seed)
        r.step("RIGHT")
        assert r.at("cart") == [(0, 20)]  # first tick: no move
        r.step("RIGHT")  # onto the entry: to one of the exits; the cart reaches the rail: aligned, faces LEFT
        exits = [(40, 0), (40, 10)]
        assert (r.avatar["x"], r.avatar["y"]) == exits[JavaRandom(seed).nextInt(2)] and r.score == 1
        assert r.at("cart") == [(10, 20)]
        r.step("NIL")
        assert r.at("cart") == [(0, 20)]


def test_transform_if_count_and_kill_if_frontal():
    r = Run("count", "Adoo\n....\ns.b.\n")
    r.step("RIGHT")  # two coins: the lamp lights (+4)
    assert r.at("lit") == [(10, 0)] and r.at("dark") == [] and r.score == 4
    r.step("NIL")  # shield and bullet meet head-on at x=10: the bullet dies (+1), the shield goes on
    assert r.at("bullet") == [] and r.at("shield") == [(10, 20)] and r.score == 5
    r = Run("count", "Ado.\n....\n....\n")
    r.step("RIGHT")  # one coin: the else type, and no score
    assert r.at("broken") == [(10, 0)] and r.at("lit") == [] and r.score == 0
