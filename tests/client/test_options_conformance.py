"""A session's own options through the client, on both transports (see
``test_conformance.py``): set before the first game or at boot, shown in the
session view, merged like a JSON merge patch, refused whole when bad, and kept
to the crown holder when a crown is held."""

from __future__ import annotations

from pathlib import Path

from glitchcart.core.keys import MediaRef
from glitchcart.errors import Forbidden, InvalidInput, SessionNotFound
from support.rigs import Rig, run_on_both
from support.transcripts import Transcript

A, B = "discord:100", "web:blue-fox"
CONFIGURED = {"hosted": "chat", "local": "chat", "paint": "image"}


async def test_options_set_shown_merged_and_used(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        r.engine.providers = dict(CONFIGURED)
        await t.fails("no session yet", c.configure(video=True, session=A), SessionNotFound)
        await t.fails("nothing made", c.snapshot(session=A), SessionNotFound)
        opts = {"providers": ["local"], "flipbook": True}
        first = await t.ok("boot", c.boot("mini", seed=1, options=opts, session=A))
        assert first.frame is not None and first.frame.name.endswith(".gif")
        view = await t.ok("view", c.snapshot(session=A))
        assert (view.options.providers, view.options.flipbook) == (["local"], True)
        picture = await t.ok("flipbook frame", c.frame(first.frame))  # a .gif name is served
        stored = MediaRef.from_dict(first.frame.model_dump())
        assert picture == await r.engine.media.get(stored)
        merged = await t.ok("merge", c.configure(video=True, session=A))
        assert (merged.providers, merged.flipbook, merged.video) == (["local"], True, True)
        reset = await t.ok("reset one", c.configure(providers=None, session=A))
        assert (reset.providers, reset.flipbook, reset.video) == (None, True, True)
        other = await t.ok("other boot", c.boot("mini", seed=1, session=B))
        assert other.frame is not None and other.frame.name.endswith(".png")
        assert (await t.ok("other view", c.snapshot(session=B))).options.flipbook is None

    await run_on_both(tmp_path, scenario)


async def test_bad_options_are_refused_and_change_nothing(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        r.engine.providers = dict(CONFIGURED)
        await t.ok("boot", c.boot("mini", seed=1, session=A))
        before = await t.ok("before", c.snapshot(session=A))
        for label, call in (
            ("unknown provider", c.configure(providers=["nope"], session=A)),
            ("one bad name", c.configure(providers=["local", "Bad Name"], session=A)),
            ("a name, not a list", c.configure(providers="local", session=A)),
            ("empty list", c.configure(providers=[], session=A)),
            ("not a switch", c.configure(video="yes", session=A)),
            ("unknown option", c.configure(colour="red", session=A)),
            ("boot with a bad one", c.boot("mini", options={"providers": ["nope"]}, session=B)),
        ):
            await t.fails(label, call, InvalidInput)
        assert await t.ok("after", c.snapshot(session=A)) == before
        await t.fails("nothing made", c.snapshot(session=B), SessionNotFound)

    await run_on_both(tmp_path, scenario)


async def test_with_a_crown_held_only_its_holder_changes_options(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        await t.ok("boot", c.boot("mini", seed=1, session=A))
        await t.ok("crown", c.take_crown("ann", session=A))
        await t.fails("anyone", c.configure(video=True, session=A), Forbidden)
        await t.fails("another", c.configure(video=True, player="bob", session=A), Forbidden)
        done = await t.ok("holder", c.configure(video=True, player="ann", session=A))
        assert done.video is True

    await run_on_both(tmp_path, scenario)
