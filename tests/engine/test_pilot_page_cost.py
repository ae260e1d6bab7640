"""The pilot page costs the same few statements whatever the pilot's history, and pages it: the
N+1 of one query set per instance must not come back."""
from __future__ import annotations

import engine
from tests.conftest import DATA
from tests.helpers import World
from tests.helpers import statements


def history(world: World, processes: range) -> None:
    """Copies of two_step for pilot A1, each submitted and sent back once."""
    bpmn = (DATA / "two_step.bpmn").read_text(encoding="utf-8")
    schemas = [(n, (DATA / n).read_bytes()) for n in ("submit-schema.json", "review-schema.json")]
    keys = [f"copy_{i}" for i in processes]
    engine.deploy(world.db, [*((f"{k}.bpmn", bpmn.replace('id="two_step"', f'id="{k}"')
                                .replace('id="Defs_two_step"', f'id="D_{k}"').encode()) for k in keys), *schemas],
                  user_id=engine.SYSTEM)
    for key in keys:
        iid = engine.start(world.db, key, user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
        world.do("city_a1", iid, "submit", {"summary": f"第一稿 {key}"})
        world.do("prov_a", iid, "review", {"decision": "revise", "comment": "请补充"})


def cost(world: World, page: int = 1) -> tuple[int, engine.pilots.PilotPage]:
    with statements(world.db) as seen:
        shown = engine.pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("prov_a"), page=page)
    return len(seen), shown


def test_statements_do_not_grow_with_the_number_of_instances(world: World) -> None:
    history(world, range(2))
    few, small = cost(world)
    history(world, range(2, 15))  # the same pilot, 15 processes in all
    many, big = cost(world)
    assert len(small.instances) == 2 and len(big.instances) == 10 and big.total == 15
    assert many <= few + 2, (few, many)  # a form or two more to read, never a query set per instance
    assert many <= 30
    last, second = cost(world, page=2)
    assert [i.id for i in second.instances] and not {i.id for i in second.instances} & {i.id for i in big.instances}
    assert last <= 30
    assert cost(world, page=99)[1].page == 2  # past the end: the last page
