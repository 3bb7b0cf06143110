"""Accounts and subscriptions in the store: names, roles, passwords, API passwords, Fever
keys, tokens, sessions; folders and subscriptions over shared sources."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from wirebrief.errors import AccountError, FolderError, NotFoundError, WeakPasswordError
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users
from wirebrief.storage.db import Database
from wirebrief.storage.models import ApiToken, AuditEntry, ReadingState, Subscription, UserSession
from wirebrief.times import utcnow

PASSWORD = "correct horse battery"


def test_accounts_names_roles_and_the_last_admin(db: Database) -> None:
    with db.session() as session:
        admin = users.add_user(session, "ed", PASSWORD, role=users.Role.ADMIN)
        users.add_user(session, "ana.b@desk", PASSWORD)
        for bad in ("", "-x", "a b", "x" * 65, "é"):
            with pytest.raises(AccountError, match="not a usable account name"):
                users.add_user(session, bad, PASSWORD)
        with pytest.raises(AccountError, match="already an account"):
            users.add_user(session, "ed", PASSWORD)
        with pytest.raises(WeakPasswordError, match="at least 10"):
            users.add_user(session, "cy", "short")
        assert [u.name for u in users.list_users(session)] == ["ana.b@desk", "ed"]
        with pytest.raises(AccountError, match="only admin"):
            users.remove_user(session, "ed")
        with pytest.raises(AccountError, match="only admin"):
            users.set_role(session, admin, users.Role.READER)
        users.set_role(session, users.get_user(session, "ana.b@desk"), users.Role.ADMIN)
        users.remove_user(session, "ed")
        with pytest.raises(NotFoundError, match="users list"):
            users.get_user(session, "ed")
        actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
        assert actions == ["user_added", "user_added", "user_role", "user_removed"]


def test_passwords_sessions_and_sign_out(db: Database) -> None:
    with db.session() as session:
        user = users.add_user(session, "ana", PASSWORD)
        assert users.authenticate(session, "ana", PASSWORD) is user
        assert users.authenticate(session, "ana", PASSWORD + "x") is None
        assert users.authenticate(session, "nobody", PASSWORD) is None
        token, csrf = users.start_session(session, user)
        found = users.find_session(session, token)
        assert found is not None and found[1] is user and found[0].csrf_token == csrf
        assert session.get(UserSession, token) is None  # only the token's hash is stored
        users.set_password(session, user, "another long password")  # ends every session
        assert users.find_session(session, token) is None
        assert users.authenticate(session, "ana", "another long password") is user
        token, _ = users.start_session(session, user, now=utcnow() - timedelta(hours=13))
        assert users.find_session(session, token) is None  # expired
        token, _ = users.start_session(session, user)
        users.end_session(session, token)
        assert users.find_session(session, token) is None


def test_api_password_fever_key_and_reader_tokens(db: Database) -> None:
    with db.session() as session:
        user = users.add_user(session, "ana", PASSWORD)
        assert users.authenticate_app(session, "ana", PASSWORD) is None  # no API password yet
        api_password = users.new_api_password(session, user)
        assert users.authenticate_app(session, "ana", api_password) is user
        assert users.authenticate_app(session, "ana", PASSWORD) is None  # the web one is not it
        key = hashlib.md5(f"ana:{api_password}".encode()).hexdigest()
        assert users.fever_key("ana", api_password) == key
        assert users.user_for_fever_key(session, key) is user
        assert users.user_for_fever_key(session, key.upper()) is user
        assert users.user_for_fever_key(session, "") is None
        token = users.issue_api_token(session, user, "NetNewsWire")
        assert token.startswith("ana/")
        assert users.user_for_api_token(session, token) is user
        assert users.user_for_api_token(session, token + "x") is None
        assert session.query(ApiToken).one().client == "NetNewsWire"
        renewed = users.new_api_password(session, user)  # the old password and tokens stop
        assert users.user_for_api_token(session, token) is None
        assert users.user_for_fever_key(session, key) is None
        assert users.authenticate_app(session, "ana", renewed) is user
        users.revoke_api_password(session, user)
        assert users.authenticate_app(session, "ana", renewed) is None


def test_removing_an_account_removes_what_is_its_own(db: Database) -> None:
    with db.session() as session:
        source = source_store.add_source(session, "https://wire.example/feed", "Wire")
        users.add_user(session, "ed", PASSWORD, role=users.Role.ADMIN)
        ana = users.add_user(session, "ana", PASSWORD)
        subs.subscribe(session, ana, source, folder="News")
        users.start_session(session, ana)
        users.remove_user(session, "ana")
        assert session.query(Subscription).count() == 0
        assert session.query(UserSession).count() == 0
        assert session.query(ReadingState).count() == 0
        assert source_store.get_source(session, source.id)  # shared: the source stays


def test_folders_subscriptions_and_the_desks_categories(db: Database) -> None:
    with db.session() as session:
        wire = source_store.add_source(session, "https://wire.example/feed", "Wire")
        wire.category = "Markets"
        blog = source_store.add_source(session, "https://blog.example/feed", "Blog")
        ana = users.add_user(session, "ana", PASSWORD)
        assert subs.subscribe_to_desk(session, ana) == 2
        assert subs.subscribe_to_desk(session, ana) == 0
        rows = {f.source.name: f for f in subs.followed(session, ana)}
        assert rows["Wire"].folder.name == "Markets" and rows["Blog"].folder is None
        subs.subscribe(session, ana, blog, folder="  Tech   blogs ", title="My blog")
        assert subs.followed(session, ana)[0].folder.name == "Markets"
        rows = {f.source.name: f for f in subs.followed(session, ana)}
        assert rows["Blog"].folder.name == "Tech blogs" and rows["Blog"].title == "My blog"
        # renaming onto an existing folder merges them
        subs.rename_folder(session, ana, "Tech blogs", "Markets")
        assert [f.name for f in subs.list_folders(session, ana)] == ["Markets"]
        subs.delete_folder(session, ana, "Markets")
        assert all(f.folder is None for f in subs.followed(session, ana))
        with pytest.raises(FolderError):
            subs.folder_named(session, ana, "a/b")
        with pytest.raises(NotFoundError):
            subs.rename_folder(session, ana, "Nope", "Other")
        subs.unsubscribe(session, ana, wire.id)
        assert [f.source.name for f in subs.followed(session, ana)] == ["Blog"]
        ben = users.add_user(session, "ben", PASSWORD)
        radio = source_store.add_source(session, "https://radio.example/feed", "Radio")
        subs.subscribe_everyone(session, radio)
        assert {f.source.name for f in subs.followed(session, ben)} == {"Radio"}
        assert {f.source.name for f in subs.followed(session, ana)} == {"Blog", "Radio"}
