"""eligo admin / audit / tenants / keys / demo."""

from __future__ import annotations

from typing import Annotated

import typer

from eligo.cli.common import cli_session

admin_app = typer.Typer(help="Platform administration.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)
tenants_app = typer.Typer(help="Tenants.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data for a first run.", no_args_is_help=True)

CLI_ACTOR = "cli"


@admin_app.command()
def bootstrap() -> None:
    """Create the platform tenant and print a new platform admin key (shown once)."""
    from eligo.security import service

    with cli_session() as session:
        issued = service.bootstrap_platform_admin(session, actor=CLI_ACTOR)
    typer.echo("platform admin key (store it now; it is not shown again):")
    typer.echo(issued.secret)


@audit_app.command()
def verify() -> None:
    """Walk the audit chain; exit 1 naming the first broken row."""
    from eligo.security import audit

    with cli_session() as session:
        verdict = audit.verify_chain(session)
    if verdict.ok:
        typer.echo(f"audit chain ok: {verdict.checked} events verified")
        return
    typer.echo(
        f"audit chain BROKEN at seq {verdict.first_broken_seq}: {verdict.reason} "
        f"({verdict.checked} events verified before it)",
        err=True,
    )
    raise typer.Exit(1)


@tenants_app.command("create")
def create_tenant(
    name: str,
    kind: Annotated[str, typer.Option(help="merchant or administrator")] = "merchant",
) -> None:
    """Create a tenant and print its id."""
    from eligo.security import service

    with cli_session() as session:
        tenant = service.create_tenant(session, name=name, kind=kind, actor=CLI_ACTOR)
    typer.echo(tenant.id)


@tenants_app.command("list")
def list_tenants() -> None:
    """List tenants."""
    from eligo.security import service

    with cli_session() as session:
        for tenant in service.list_tenants(session):
            typer.echo(f"{tenant.id}  {tenant.kind:<13}  {tenant.name}")


@keys_app.command("create")
def create_key(
    tenant: Annotated[str, typer.Option(help="Tenant name")],
    role: Annotated[str, typer.Option(help="admin, reviewer or merchant")] = "merchant",
    name: Annotated[str, typer.Option(help="A label for the key")] = "cli",
) -> None:
    """Issue a key for a tenant and print it (shown once)."""
    from eligo.security import service
    from eligo.security.exceptions import InvalidRole, TenantNotFound
    from eligo.security.roles import Role

    try:
        chosen = Role(role)
    except ValueError as exc:
        raise InvalidRole() from exc
    with cli_session() as session:
        found = service.get_tenant_by_name(session, name=tenant)
        if found is None:
            raise TenantNotFound(f"No tenant named {tenant!r}")
        issued = service.issue_key(
            session, tenant_id=found.id, role=chosen, name=name, actor=CLI_ACTOR
        )
    typer.echo(issued.secret)


@keys_app.command("revoke")
def revoke_key(key_id: str) -> None:
    """Revoke a key by id (effective immediately)."""
    from eligo.security import service

    with cli_session() as session:
        key = service.get_key(session, key_id=key_id, tenant_id=None)
        service.revoke_key(session, key=key, actor=CLI_ACTOR)
    typer.echo(f"revoked {key_id}")


@demo_app.command("seed")
def seed() -> None:
    """Create the demo tenant (once) and print fresh demo keys for it."""
    from eligo.security import service
    from eligo.security.roles import Role

    with cli_session() as session:
        tenant = service.get_tenant_by_name(session, name="demo-merchant")
        if tenant is None:
            tenant = service.create_tenant(
                session, name="demo-merchant", kind="merchant", actor=CLI_ACTOR
            )
        merchant = service.issue_key(
            session, tenant_id=tenant.id, role=Role.MERCHANT, name="demo merchant", actor=CLI_ACTOR
        )
        admin = service.issue_key(
            session, tenant_id=tenant.id, role=Role.ADMIN, name="demo admin", actor=CLI_ACTOR
        )
    typer.echo(f"demo tenant:       demo-merchant ({tenant.id})")
    typer.echo(f"demo merchant key: {merchant.secret}")
    typer.echo(f"demo admin key:    {admin.secret}")
