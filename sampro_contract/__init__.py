"""The HTTP API's request and response models, shared by server and client.

One module per resource (`auth`, `plans`, `goals`, `messages`, ...; `common` holds the
base model, pages, errors and the enums several resources share). Every model is
re-exported here, so `from sampro_contract import GoalTree` works for each of them.
The package imports nothing but pydantic (an import-linter contract checks it), so the
terminal client can speak the API's types without pulling in the database or FastAPI.
Dates travel as ISO 8601; the client formats them for people. Class names are the
OpenAPI document's component names: renaming a model changes the API.
"""

from __future__ import annotations

from sampro_contract.accounts import (
    AccountStatus,
    CodeDelivery,
    SessionSummary,
    Unit,
    UserCreate,
    UserSummary,
)
from sampro_contract.auth import (
    ForgotRequest,
    LoginChallenge,
    LoginRequest,
    PasswordChange,
    PasswordPolicy,
    ResendRequest,
    SessionInfo,
    SessionStatus,
    UnitRef,
    UserInfo,
    VerifyRequest,
)
from sampro_contract.calendar import (
    CalendarEvent,
    CalendarEventIn,
    CalendarEventUpdate,
)
from sampro_contract.common import (
    API_PREFIX,
    Channel,
    Created,
    ErrorBody,
    ErrorEnvelope,
    Model,
    Page,
    PlanRole,
    SortOrder,
    SystemRole,
    UnitRole,
)
from sampro_contract.goals import (
    MAX_PICTURE_BYTES,
    ActivityCreate,
    ActivityDetail,
    ActivityMove,
    ActivityStatus,
    ActivitySummary,
    ActivityUpdate,
    Comment,
    CommentCreate,
    CommentUpdate,
    GoalCreate,
    GoalDetail,
    GoalMove,
    GoalSection,
    GoalSummary,
    GoalTree,
    GoalUpdate,
    Picture,
    PictureIn,
)
from sampro_contract.home import (
    HomeFeed,
    Visit,
)
from sampro_contract.life_areas import (
    LifeArea,
    LifeAreaEntry,
    LifeAreaUpdate,
)
from sampro_contract.log import (
    LogEntry,
)
from sampro_contract.messages import (
    Message,
    MessageFolder,
    MessageIn,
    MessageKind,
    MessageListItem,
    MessageRecipientInfo,
    MessageSort,
    MessageUpdate,
    Recipient,
)
from sampro_contract.notifications import (
    NotificationPrefs,
    NotifyChannel,
)
from sampro_contract.participants import (
    Access,
    Participant,
    ParticipantCreate,
    ParticipantRef,
    ParticipantUpdate,
    Rights,
)
from sampro_contract.people import (
    Email,
    Name,
    Person,
    PersonCreate,
    Phone,
)
from sampro_contract.plans import (
    Completeness,
    CompletenessItem,
    MyAccess,
    PlanCreate,
    PlanHome,
    PlanListItem,
    PlanSort,
    PlanType,
    PlanUpdate,
)
from sampro_contract.professional_plans import (
    ProfessionalPlan,
    ProfessionalPlanCreate,
    ProfessionalPlanList,
    ProfessionalPlanUpdate,
)
from sampro_contract.profile import (
    Draft,
    DraftIn,
    TotpConfirm,
    TotpEnrolment,
)
from sampro_contract.timeline import (
    Timeline,
    TimelineItem,
    TimelineKind,
)

__all__ = [
    "API_PREFIX",
    "MAX_PICTURE_BYTES",
    "Access",
    "AccountStatus",
    "ActivityCreate",
    "ActivityDetail",
    "ActivityMove",
    "ActivityStatus",
    "ActivitySummary",
    "ActivityUpdate",
    "CalendarEvent",
    "CalendarEventIn",
    "CalendarEventUpdate",
    "Channel",
    "CodeDelivery",
    "Comment",
    "CommentCreate",
    "CommentUpdate",
    "Completeness",
    "CompletenessItem",
    "Created",
    "Draft",
    "DraftIn",
    "Email",
    "ErrorBody",
    "ErrorEnvelope",
    "ForgotRequest",
    "GoalCreate",
    "GoalDetail",
    "GoalMove",
    "GoalSection",
    "GoalSummary",
    "GoalTree",
    "GoalUpdate",
    "HomeFeed",
    "LifeArea",
    "LifeAreaEntry",
    "LifeAreaUpdate",
    "LogEntry",
    "LoginChallenge",
    "LoginRequest",
    "Message",
    "MessageFolder",
    "MessageIn",
    "MessageKind",
    "MessageListItem",
    "MessageRecipientInfo",
    "MessageSort",
    "MessageUpdate",
    "Model",
    "MyAccess",
    "Name",
    "NotificationPrefs",
    "NotifyChannel",
    "Page",
    "Participant",
    "ParticipantCreate",
    "ParticipantRef",
    "ParticipantUpdate",
    "PasswordChange",
    "PasswordPolicy",
    "Person",
    "PersonCreate",
    "Phone",
    "Picture",
    "PictureIn",
    "PlanCreate",
    "PlanHome",
    "PlanListItem",
    "PlanRole",
    "PlanSort",
    "PlanType",
    "PlanUpdate",
    "ProfessionalPlan",
    "ProfessionalPlanCreate",
    "ProfessionalPlanList",
    "ProfessionalPlanUpdate",
    "Recipient",
    "ResendRequest",
    "Rights",
    "SessionInfo",
    "SessionStatus",
    "SessionSummary",
    "SortOrder",
    "SystemRole",
    "Timeline",
    "TimelineItem",
    "TimelineKind",
    "TotpConfirm",
    "TotpEnrolment",
    "Unit",
    "UnitRef",
    "UnitRole",
    "UserCreate",
    "UserInfo",
    "UserSummary",
    "VerifyRequest",
    "Visit",
]
