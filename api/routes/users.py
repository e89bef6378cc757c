"""Users and roles (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api.deps import AuditDep, PageDep, StateDep, require
from api.errors import NotFoundError
from api.users import User

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[User, Depends(require("users:manage"))]


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64, examples=["trader1"])
    password: str = Field(min_length=8, max_length=256)
    role: str = Field(max_length=40, examples=["trader"])
    display_name: str = Field(default="", max_length=200)
    enterprise_key: str | None = Field(default=None, max_length=200, examples=["QLRUBN9"],
                                       description="the enterprise a trader acts for")
    port: str | None = Field(default=None, max_length=50)
    grants: list[str] = Field(default_factory=list, max_length=20, examples=[["pii"]])


class UserUpdate(BaseModel):
    role: str | None = Field(default=None, max_length=40)
    display_name: str | None = Field(default=None, max_length=200)
    enterprise_key: str | None = Field(default=None, max_length=200)
    port: str | None = Field(default=None, max_length=50)
    grants: list[str] | None = Field(default=None, max_length=20)
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


@router.get("", summary="List users")
def list_users(_: Admin, state: StateDep, page: PageDep, audit: AuditDep,
               role: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    users, total = state.users.list(limit=page.limit, offset=page.offset, role=role)
    audit("user.list", "user", "", detail={"role": role, "returned": len(users)})
    return page.page([u.public() for u in users], total)


@router.post("", status_code=201, summary="Create a user")
def create_user(body: UserCreate, _: Admin, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    u = state.users.create(**body.model_dump())
    audit("user.create", "user", u.username,
          detail={"role": u.role, "grants": u.grants, "enterprise_key": u.enterprise_key})
    return u.public()


@router.get("/{username}", summary="One user")
def get_user(username: Annotated[str, Path(max_length=64)], _: Admin, state: StateDep,
             audit: AuditDep) -> dict[str, Any]:
    u = state.users.get(username)
    audit("user.read", "user", username, outcome="ok" if u else "not_found")
    if u is None:
        raise NotFoundError(f"user {username!r} not found", code="users.not_found")
    return u.public()


@router.patch("/{username}", summary="Change a user's role, grants, enterprise, password...")
def update_user(username: Annotated[str, Path(max_length=64)], body: UserUpdate, _: Admin, state: StateDep,
                audit: AuditDep) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    u = state.users.update(username, **changes)
    audit("user.update", "user", username,
          detail={k: ("***" if k == "password" else v) for k, v in changes.items()})
    return u.public()
