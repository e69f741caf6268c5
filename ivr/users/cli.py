"""`ivr users add|list|disable|reset-password`: who may log in to the console (creates the first admin)."""

from __future__ import annotations

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, command_context, emit_json
from ivr.users.roles import ROLES


def _password(prompt: str) -> str:
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


@click.group()
def users() -> None:
    """Console users: an organisation (a directory code) and a role each."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option("--organisation", "organisation", required=True, help="The user's organisation: a directory code.")
@click.option("--name", "display_name", default="", help="The person's name as the console shows it.")
@click.option("--no-password", is_flag=True, help="No password login (the user logs in through the identity provider).")
@click.option("--by", "actor", default=None, help=BY_HELP)
def users_add(
    username: str, role: str, organisation: str, display_name: str, no_password: bool, actor: str | None
) -> None:
    """Add a user; asks for the password twice (at least 12 characters)."""
    from ivr.users.service import UserError, add_user

    password = None if no_password else _password("Password")
    with command_context() as ctx:
        try:
            user = add_user(
                session=ctx.session,
                username=username,
                display_name=display_name,
                organisation_code=organisation,
                role=role,
                password=password,
                by=current_actor(actor),
                now=ctx.runtime.now(),
            )
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.session.commit()
        click.echo(f"user {user.username} added: {user.role} of {user.organisation_code}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def users_list(as_json: bool) -> None:
    """Every user: organisation, role, active or disabled, last login."""
    from ivr.users.service import list_users, user_as_dict

    with command_context() as ctx:
        data = [user_as_dict(u, ctx.runtime.timezone) for u in list_users(session=ctx.session)]
    if as_json:
        emit_json(data)
        return
    for u in data:
        state = "active" if u["active"] else "DISABLED"
        click.echo(
            f"{u['username']:<32} {u['role']:<12} {u['organisation']:>6}  {state:<8} "
            f"last login {u['last_login'] or '-'}"
        )
    if not data:
        click.echo("no users yet: `ivr users add NAME --role admin --organisation CODE`", err=True)


@users.command("disable")
@click.argument("username")
@click.option("--by", "actor", default=None, help=BY_HELP)
def users_disable(username: str, actor: str | None) -> None:
    """Stop a user from logging in; their open sessions end at once."""
    from ivr.users.service import UserError, disable_user

    with command_context() as ctx:
        try:
            user = disable_user(session=ctx.session, username=username, by=current_actor(actor), now=ctx.runtime.now())
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.session.commit()
        click.echo(f"user {user.username} disabled")


@users.command("reset-password")
@click.argument("username")
@click.option("--by", "actor", default=None, help=BY_HELP)
def users_reset_password(username: str, actor: str | None) -> None:
    """Set a new password (asked twice); the user's open sessions end at once."""
    from ivr.users.service import UserError, find_user, reset_password

    with command_context() as ctx:
        if find_user(session=ctx.session, username=username) is None:
            raise click.ClickException(f"no user {username}")
        password = _password("New password")
        try:
            user = reset_password(
                session=ctx.session,
                username=username,
                password=password,
                by=current_actor(actor),
                now=ctx.runtime.now(),
            )
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.session.commit()
        click.echo(f"password of {user.username} reset")
