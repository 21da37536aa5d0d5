from ninja import Schema


class UnitOut(Schema):
    id: int
    category: str
    scheme: str
    level: str
    code: str
    name: str
    division_type: str
    parent_id: int | None
    path: str
    is_active: bool
