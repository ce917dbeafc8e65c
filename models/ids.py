"""Named id types, so a signature says which kind of id it takes."""

UnitId = str
ProsecutorId = str
CaseId = str
PoolId = str
GroupId = str
Skill = str
Language = str
