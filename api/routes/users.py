"""Users and roles (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import AuditDep, PageDep, StateDep, require
from api.errors import NotFoundError
from api.users import User

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[User, Depends(require("users:manage"))]


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64, examples=["trader1"])
    password: str = Field(min_length=8, max_length=256)
    role: str = Field(examples=["trader"])
    display_name: str = ""
    enterprise_key: str | None = Field(default=None, examples=["QLRUBN9"],
                                       description="the enterprise a trader acts for")
    port: str | None = None
    grants: list[str] = Field(default_factory=list, examples=[["pii"]])


class UserUpdate(BaseModel):
    role: str | None = None
    display_name: str | None = None
    enterprise_key: str | None = None
    port: str | None = None
    grants: list[str] | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


@router.get("", summary="List users")
def list_users(_: Admin, state: StateDep, page: PageDep,
               role: str | None = None) -> dict[str, Any]:
    users, total = state.users.list(limit=page.limit, offset=page.offset, role=role)
    return page.page([u.public() for u in users], total)


@router.post("", status_code=201, summary="Create a user")
def create_user(body: UserCreate, _: Admin, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    u = state.users.create(**body.model_dump())
    audit("user.create", "user", u.username,
          detail={"role": u.role, "grants": u.grants, "enterprise_key": u.enterprise_key})
    return u.public()


@router.get("/{username}", summary="One user")
def get_user(username: str, _: Admin, state: StateDep) -> dict[str, Any]:
    u = state.users.get(username)
    if u is None:
        raise NotFoundError(f"user {username!r} not found", code="users.not_found")
    return u.public()


@router.patch("/{username}", summary="Change a user's role, grants, enterprise, password...")
def update_user(username: str, body: UserUpdate, _: Admin, state: StateDep,
                audit: AuditDep) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    u = state.users.update(username, **changes)
    audit("user.update", "user", username,
          detail={k: ("***" if k == "password" else v) for k, v in changes.items()})
    return u.public()
