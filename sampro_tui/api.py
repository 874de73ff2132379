"""The HTTP API client: one httpx.AsyncClient, typed results, typed errors.

Screens never see httpx. Every call returns a `sampro_contract` model or raises
`ApiError` (the server answered with an error envelope) or `ServerUnreachable` (no
answer at all). This module must not import Textual: an import-linter contract and a
test check that, so the client core stays usable and testable without a terminal.
"""

from __future__ import annotations

import base64
import email.utils
import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from sampro_contract import (
    API_PREFIX,
    ActivityCreate,
    ActivityDetail,
    ActivityMove,
    ActivityUpdate,
    CalendarEvent,
    CalendarEventIn,
    CalendarEventUpdate,
    Comment,
    CommentCreate,
    CommentUpdate,
    Completeness,
    Draft,
    DraftIn,
    GoalCreate,
    GoalDetail,
    GoalTree,
    GoalUpdate,
    HomeFeed,
    LifeArea,
    LifeAreaEntry,
    LifeAreaUpdate,
    LogEntry,
    LoginChallenge,
    LoginRequest,
    Message,
    MessageFolder,
    MessageIn,
    MessageListItem,
    MessageSort,
    MessageUpdate,
    NotificationPrefs,
    Page,
    Participant,
    ParticipantCreate,
    ParticipantUpdate,
    PasswordChange,
    PasswordPolicy,
    Person,
    Picture,
    PlanHome,
    PlanListItem,
    PlanSort,
    PlanUpdate,
    ProfessionalPlan,
    ProfessionalPlanCreate,
    ProfessionalPlanList,
    ProfessionalPlanUpdate,
    Recipient,
    SessionInfo,
    SessionStatus,
    SortOrder,
    Timeline,
    UserInfo,
)

M = TypeVar("M", bound=BaseModel)

# Below this many seconds the Date header (whole seconds) cannot tell skew from rounding.
SKEW_TOLERANCE = 2.0

# Codes that mean "your session is gone: log in again".
SESSION_LOST_CODES = frozenset({"session_expired", "not_authenticated"})


class ApiError(Exception):
    """The server answered with an error (the `{"error": {...}}` envelope)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: object | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after

    @property
    def session_lost(self) -> bool:
        return self.status == 401 and self.code in SESSION_LOST_CODES


class ServerUnreachable(Exception):
    """No answer from the server: connection refused, DNS, TLS or a timeout."""

    def __init__(self, url: str, reason: str, timed_out: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.timed_out = timed_out


class ProtocolError(ApiError):
    """The server answered, but not with what the contract promises."""


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0, int(float(value)))
    except ValueError:
        return None


def error_from_response(response: httpx.Response) -> ApiError:
    """Turn an error response into an ApiError, also when it is not our envelope."""
    code = f"http_{response.status_code}"
    message = response.reason_phrase or "error"
    details: object | None = None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or code)
        message = str(error.get("message") or message)
        details = error.get("details")
    return ApiError(response.status_code, code, message, details, _retry_after(response))


class ApiClient:
    """SamPro's HTTP API, one method per route the client uses.

    `on_session_status` is told about every SessionStatus the server sends (refresh and
    session polls), so the session timer can follow the server's own count.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        on_session_status: Callable[[SessionStatus], None] | None = None,
        wall: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        # How far the server's clock is ahead of `wall` (ours; seconds), from the Date
        # header of its last answer; 0 while within the header's one-second resolution.
        self.clock_skew = 0.0
        self._wall = wall or (lambda: datetime.now(UTC))
        self.on_session_status = on_session_status
        self._client = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "sampro-tui"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- plumbing ---------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: object | None = None,
        params: Mapping[str, Any] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        headers = {}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self._client.request(
                method, path, json=json_body, params=params, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise ServerUnreachable(self.base_url, str(exc) or "timeout", True) from exc
        except httpx.TransportError as exc:
            raise ServerUnreachable(self.base_url, str(exc) or type(exc).__name__) from exc
        self._measure_skew(response)
        if response.is_error:
            raise error_from_response(response)
        return response

    def _measure_skew(self, response: httpx.Response) -> None:
        """Follow the server's clock from its Date header (RFC 9110, whole seconds)."""
        value = response.headers.get("Date")
        if not value:
            return
        try:
            server_now = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return
        if server_now.tzinfo is None:
            return
        # The header is truncated to the second (the server's time is within the second
        # after it): adding that second makes times left err on the short side.
        skew = (server_now - self._wall()).total_seconds() + 1.0
        self.clock_skew = skew if abs(skew) >= SKEW_TOLERANCE else 0.0

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(response.status_code, "bad_response", str(exc)) from exc

    @staticmethod
    def _body(model: BaseModel) -> object:
        return model.model_dump(mode="json", exclude_unset=True)

    def _status(self, response: httpx.Response) -> SessionStatus:
        status = self._parse(SessionStatus, response)
        if self.on_session_status is not None:
            self.on_session_status(status)
        return status

    # --- health -----------------------------------------------------------------------

    async def healthy(self) -> bool:
        """True when GET /healthz answers 2xx (it lives outside the API prefix)."""
        try:
            response = await self._client.get(self.base_url + "/healthz")
        except httpx.HTTPError:
            return False
        return response.is_success

    # --- login and sessions -----------------------------------------------------------

    async def login(self, username: str, password: str) -> LoginChallenge:
        body = self._body(LoginRequest(username=username, password=password))
        response = await self._request("POST", "/auth/login", json_body=body, auth=False)
        return self._parse(LoginChallenge, response)

    async def resend_code(self, challenge_id: str) -> LoginChallenge:
        body = {"challenge_id": challenge_id}
        response = await self._request("POST", "/auth/resend", json_body=body, auth=False)
        return self._parse(LoginChallenge, response)

    async def verify(self, challenge_id: str, code: str) -> SessionInfo:
        body = {"challenge_id": challenge_id, "code": code.strip()}
        response = await self._request("POST", "/auth/verify", json_body=body, auth=False)
        info = self._parse(SessionInfo, response)
        self.token = info.token
        return info

    async def session(self) -> SessionStatus:
        """The session's state; the server does not count this as activity."""
        return self._status(await self._request("GET", "/auth/session"))

    async def refresh_session(self) -> SessionStatus:
        """Say "I am still here": counts as activity and restarts the idle window."""
        return self._status(await self._request("POST", "/auth/session/refresh"))

    async def logout(self) -> None:
        try:
            if self.token:
                await self._request("POST", "/auth/logout")
        finally:
            self.token = None

    async def change_password(self, current_password: str, new_password: str) -> None:
        body = self._body(
            PasswordChange(current_password=current_password, new_password=new_password)
        )
        await self._request("POST", "/auth/password", json_body=body)

    async def forgot_password(self, username: str) -> None:
        body = {"username": username}
        await self._request("POST", "/auth/forgot", json_body=body, auth=False)

    async def password_policy(self) -> PasswordPolicy:
        response = await self._request("GET", "/auth/password-policy", auth=False)
        return self._parse(PasswordPolicy, response)

    async def me(self) -> UserInfo:
        return self._parse(UserInfo, await self._request("GET", "/me"))

    # --- plans ------------------------------------------------------------------------

    async def list_plans(
        self,
        *,
        first_name: str = "",
        last_name: str = "",
        query: str = "",
        include_closed: bool = False,
        sort: PlanSort = PlanSort.OWNER,
        order: SortOrder = SortOrder.ASC,
        page: int = 1,
        page_size: int = 500,
    ) -> Page[PlanListItem]:
        params: dict[str, Any] = {
            "include_closed": "true" if include_closed else "false",
            "sort": sort.value,
            "order": order.value,
            "page": page,
            "page_size": page_size,
        }
        if first_name.strip():
            params["first_name"] = first_name.strip()
        if last_name.strip():
            params["last_name"] = last_name.strip()
        if query.strip():
            params["q"] = query.strip()
        response = await self._request("GET", "/plans", params=params)
        return self._parse(Page[PlanListItem], response)

    async def plan(self, plan_id: int) -> PlanHome:
        return self._parse(PlanHome, await self._request("GET", f"/plans/{plan_id}"))

    async def update_plan(self, plan_id: int, update: PlanUpdate) -> PlanHome:
        response = await self._request("PATCH", f"/plans/{plan_id}", json_body=self._body(update))
        return self._parse(PlanHome, response)

    # --- drafts -----------------------------------------------------------------------

    async def save_draft(self, key: str, draft: DraftIn) -> None:
        await self._request("PUT", f"/me/drafts/{key}", json_body=self._body(draft))

    async def drafts(self) -> list[Draft]:
        response = await self._request("GET", "/me/drafts")
        try:
            return _DRAFTS.validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(response.status_code, "bad_response", str(exc)) from exc

    async def delete_draft(self, key: str) -> None:
        await self._request("DELETE", f"/me/drafts/{key}")

    # --- plan content: goals, activities, comments, life areas, professional plans --

    async def goal_tree(self, plan_id: int, history: bool = False) -> GoalTree:
        params = {"section": "history" if history else "active"}
        response = await self._request("GET", f"/plans/{plan_id}/goals", params=params)
        return self._parse(GoalTree, response)

    async def goal(self, plan_id: int, goal_id: int) -> GoalDetail:
        response = await self._request("GET", f"/plans/{plan_id}/goals/{goal_id}")
        return self._parse(GoalDetail, response)

    async def create_goal(self, plan_id: int, body: GoalCreate) -> GoalDetail:
        path = f"/plans/{plan_id}/goals"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(GoalDetail, response)

    async def update_goal(self, plan_id: int, goal_id: int, body: GoalUpdate) -> GoalDetail:
        path = f"/plans/{plan_id}/goals/{goal_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(GoalDetail, response)

    async def delete_goal(self, plan_id: int, goal_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/goals/{goal_id}")

    async def move_goal(self, plan_id: int, goal_id: int, position: int) -> GoalTree:
        path = f"/plans/{plan_id}/goals/{goal_id}/move"
        response = await self._request("POST", path, json_body={"position": position})
        return self._parse(GoalTree, response)

    async def goal_to_history(self, plan_id: int, goal_id: int) -> GoalDetail:
        response = await self._request("POST", f"/plans/{plan_id}/goals/{goal_id}/history")
        return self._parse(GoalDetail, response)

    async def restore_goal(self, plan_id: int, goal_id: int) -> GoalDetail:
        response = await self._request("POST", f"/plans/{plan_id}/goals/{goal_id}/restore")
        return self._parse(GoalDetail, response)

    async def goal_picture(self, plan_id: int, goal_id: int) -> Picture:
        response = await self._request("GET", f"/plans/{plan_id}/goals/{goal_id}/picture")
        return self._parse(Picture, response)

    async def set_goal_picture(
        self, plan_id: int, goal_id: int, version: int, data: bytes
    ) -> GoalDetail:
        body = {"version": version, "data_base64": base64.b64encode(data).decode("ascii")}
        path = f"/plans/{plan_id}/goals/{goal_id}/picture"
        response = await self._request("PUT", path, json_body=body)
        return self._parse(GoalDetail, response)

    async def activity(self, plan_id: int, activity_id: int) -> ActivityDetail:
        response = await self._request("GET", f"/plans/{plan_id}/activities/{activity_id}")
        return self._parse(ActivityDetail, response)

    async def create_activity(self, plan_id: int, body: ActivityCreate) -> ActivityDetail:
        path = f"/plans/{plan_id}/activities"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(ActivityDetail, response)

    async def update_activity(
        self, plan_id: int, activity_id: int, body: ActivityUpdate
    ) -> ActivityDetail:
        path = f"/plans/{plan_id}/activities/{activity_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(ActivityDetail, response)

    async def delete_activity(self, plan_id: int, activity_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/activities/{activity_id}")

    async def move_activity(
        self, plan_id: int, activity_id: int, position: int, goal_id: int | None = None
    ) -> GoalTree:
        body = self._body(ActivityMove(goal_id=goal_id, position=position))
        path = f"/plans/{plan_id}/activities/{activity_id}/move"
        response = await self._request("POST", path, json_body=body)
        return self._parse(GoalTree, response)

    async def add_comment(self, plan_id: int, body: CommentCreate) -> Comment:
        path = f"/plans/{plan_id}/comments"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(Comment, response)

    async def update_comment(self, plan_id: int, comment_id: int, body: CommentUpdate) -> Comment:
        path = f"/plans/{plan_id}/comments/{comment_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(Comment, response)

    async def delete_comment(self, plan_id: int, comment_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/comments/{comment_id}")

    async def participants(self, plan_id: int) -> list[Participant]:
        response = await self._request("GET", f"/plans/{plan_id}/participants")
        try:
            return _PARTICIPANTS.validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(response.status_code, "bad_response", str(exc)) from exc

    # --- participants (deltakere) and the log ---------------------------------------

    async def search_persons(self, plan_id: int, query: str = "") -> list[Person]:
        """Persons of the plan's unit, to add as participants (the coordinator)."""
        params = {"q": query.strip()} if query.strip() else None
        response = await self._request("GET", f"/plans/{plan_id}/persons", params=params)
        return _validate(_PERSONS, response)

    async def add_participant(self, plan_id: int, body: ParticipantCreate) -> Participant:
        path = f"/plans/{plan_id}/participants"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(Participant, response)

    async def update_participant(
        self, plan_id: int, participant_id: int, body: ParticipantUpdate
    ) -> Participant:
        path = f"/plans/{plan_id}/participants/{participant_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(Participant, response)

    async def remove_participant(self, plan_id: int, participant_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/participants/{participant_id}")

    async def plan_log(
        self, plan_id: int, page_size: int = 200, before_id: int | None = None
    ) -> Page[LogEntry]:
        """The plan's log (logg), newest first, for participants with the log right: the
        newest page, or the page of entries older than `before_id`."""
        params = {"page_size": page_size}
        if before_id is not None:
            params["before_id"] = before_id
        response = await self._request("GET", f"/plans/{plan_id}/log", params=params)
        return self._parse(Page[LogEntry], response)

    async def life_areas(self, plan_id: int) -> list[LifeAreaEntry]:
        response = await self._request("GET", f"/plans/{plan_id}/life-areas")
        try:
            return _LIFE_AREAS.validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(response.status_code, "bad_response", str(exc)) from exc

    async def update_life_area(
        self, plan_id: int, area: LifeArea, body: LifeAreaUpdate
    ) -> LifeAreaEntry:
        path = f"/plans/{plan_id}/life-areas/{area.value}"
        response = await self._request("PUT", path, json_body=self._body(body))
        return self._parse(LifeAreaEntry, response)

    async def professional_plans(self, plan_id: int) -> ProfessionalPlanList:
        response = await self._request("GET", f"/plans/{plan_id}/professional-plans")
        return self._parse(ProfessionalPlanList, response)

    async def create_professional_plan(
        self, plan_id: int, body: ProfessionalPlanCreate
    ) -> ProfessionalPlan:
        path = f"/plans/{plan_id}/professional-plans"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(ProfessionalPlan, response)

    async def update_professional_plan(
        self, plan_id: int, item_id: int, body: ProfessionalPlanUpdate
    ) -> ProfessionalPlan:
        path = f"/plans/{plan_id}/professional-plans/{item_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(ProfessionalPlan, response)

    async def delete_professional_plan(self, plan_id: int, item_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/professional-plans/{item_id}")

    async def completeness(self, plan_id: int) -> Completeness:
        response = await self._request("GET", f"/plans/{plan_id}/completeness")
        return self._parse(Completeness, response)

    # --- working together: messages, calendar, home feed, timeline --------------------

    async def messages(
        self,
        plan_id: int,
        folder: MessageFolder = MessageFolder.INBOX,
        *,
        query: str = "",
        sort: MessageSort = MessageSort.DATE,
        order: SortOrder = SortOrder.DESC,
        page: int = 1,
        page_size: int = 100,
        all_folders: bool = False,
    ) -> Page[MessageListItem]:
        """One folder, or with `all_folders` received, sent and my drafts by date."""
        params: dict[str, Any] = {
            "folder": folder.value,
            "sort": sort.value,
            "order": order.value,
            "page": page,
            "page_size": page_size,
        }
        if query.strip():
            params["q"] = query.strip()
        if all_folders:
            params["all_folders"] = "true"
        response = await self._request("GET", f"/plans/{plan_id}/messages", params=params)
        return self._parse(Page[MessageListItem], response)

    async def message(self, plan_id: int, message_id: int) -> Message:
        """One message; for a recipient this marks it read."""
        response = await self._request("GET", f"/plans/{plan_id}/messages/{message_id}")
        return self._parse(Message, response)

    async def create_message(self, plan_id: int, body: MessageIn) -> Message:
        path = f"/plans/{plan_id}/messages"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(Message, response)

    async def update_message(self, plan_id: int, message_id: int, body: MessageUpdate) -> Message:
        path = f"/plans/{plan_id}/messages/{message_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(Message, response)

    async def delete_message(self, plan_id: int, message_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/messages/{message_id}")

    async def recipients(self, plan_id: int) -> list[Recipient]:
        response = await self._request("GET", f"/plans/{plan_id}/recipients")
        return _validate(_RECIPIENTS, response)

    async def events(
        self,
        plan_id: int,
        from_date: date | None = None,
        to_date: date | None = None,
        limit: int = 1000,
    ) -> list[CalendarEvent]:
        params: dict[str, Any] = {"limit": limit}
        if from_date is not None:
            params["from_date"] = from_date.isoformat()
        if to_date is not None:
            params["to_date"] = to_date.isoformat()
        response = await self._request("GET", f"/plans/{plan_id}/events", params=params)
        return _validate(_EVENTS, response)

    async def create_event(self, plan_id: int, body: CalendarEventIn) -> CalendarEvent:
        path = f"/plans/{plan_id}/events"
        response = await self._request("POST", path, json_body=self._body(body))
        return self._parse(CalendarEvent, response)

    async def update_event(
        self, plan_id: int, event_id: int, body: CalendarEventUpdate
    ) -> CalendarEvent:
        path = f"/plans/{plan_id}/events/{event_id}"
        response = await self._request("PATCH", path, json_body=self._body(body))
        return self._parse(CalendarEvent, response)

    async def delete_event(self, plan_id: int, event_id: int) -> None:
        await self._request("DELETE", f"/plans/{plan_id}/events/{event_id}")

    async def home_feed(self, plan_id: int) -> HomeFeed:
        return self._parse(HomeFeed, await self._request("GET", f"/plans/{plan_id}/home-feed"))

    async def timeline(
        self,
        plan_id: int,
        limit: int = 200,
        before: datetime | None = None,
        cursor: str | None = None,
    ) -> Timeline:
        """Newest first; the next page with `cursor` (the last page's next_cursor)."""
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        if before is not None:
            params["before"] = before.isoformat()
        response = await self._request("GET", f"/plans/{plan_id}/timeline", params=params)
        return self._parse(Timeline, response)

    async def notification_prefs(self, plan_id: int) -> NotificationPrefs:
        response = await self._request("GET", f"/plans/{plan_id}/notifications")
        return self._parse(NotificationPrefs, response)

    async def set_notification_prefs(
        self, plan_id: int, prefs: NotificationPrefs
    ) -> NotificationPrefs:
        path = f"/plans/{plan_id}/notifications"
        response = await self._request("PUT", path, json_body=prefs.model_dump(mode="json"))
        return self._parse(NotificationPrefs, response)


_DRAFTS: TypeAdapter[list[Draft]] = TypeAdapter(list[Draft])


_PARTICIPANTS: TypeAdapter[list[Participant]] = TypeAdapter(list[Participant])
_LIFE_AREAS: TypeAdapter[list[LifeAreaEntry]] = TypeAdapter(list[LifeAreaEntry])
_RECIPIENTS: TypeAdapter[list[Recipient]] = TypeAdapter(list[Recipient])
_PERSONS: TypeAdapter[list[Person]] = TypeAdapter(list[Person])
_EVENTS: TypeAdapter[list[CalendarEvent]] = TypeAdapter(list[CalendarEvent])
L = TypeVar("L")


def _validate(adapter: TypeAdapter[L], response: httpx.Response) -> L:
    try:
        return adapter.validate_json(response.content)
    except ValidationError as exc:
        raise ProtocolError(response.status_code, "bad_response", str(exc)) from exc
