"""Settings, read from the environment (see `.env.example`).

Without any variable the portal runs on the embedded default: SQLite and files under `var/`,
a local-memory cache and tasks run in-process. `DJANGO_ENV=production` turns every unsafe
default into a hard failure at start-up. The test suite runs on `espace_sante.settings_test`
(chosen by pytest, pyproject.toml), which starts from these.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from espace_sante.lib import envkeys

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _secret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (container secrets)."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

# --- Secrets -----------------------------------------------------------------------------------
SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production.")
    SECRET_KEY = "django-insecure-development-only-" + "x" * 32

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Key-encryption keys for the vault and encrypted fields: "id:base64url-32-bytes,…".
# The embedded default generates a development key under var/ (with a warning).
ENCRYPTION_KEYS = envkeys.load(
    raw=_secret("ENCRYPTION_KEYS"),
    active=env.str("ENCRYPTION_ACTIVE_KEY", default=""),
    production=PRODUCTION,
    dev_key_path=VAR_DIR / "dev-encryption-key",
)
# The journal's sealing keys (docs/JOURNAL.md): same format, 32-byte Ed25519 seeds. They seal
# every chain head (an HMAC key derived from the seed) and sign the checkpoints kept in the
# storage and the digests holders download (Ed25519: anyone checks them with the public key).
# A key ring of its own, not derived from ENCRYPTION_KEYS: it can be held apart (another team,
# a secret store the database administrators cannot read) and rotated on its own schedule.
JOURNAL_SEAL_KEYS = envkeys.load(
    raw=_secret("JOURNAL_SEAL_KEYS"),
    active=env.str("JOURNAL_SEAL_ACTIVE_KEY", default=""),
    production=PRODUCTION,
    dev_key_path=VAR_DIR / "dev-journal-seal-key",
    name="JOURNAL_SEAL_KEYS",
    active_name="JOURNAL_SEAL_ACTIVE_KEY",
    purpose="journal sealing key",
)
# Minutes between two sealed checkpoints of every chain head written to the storage.
JOURNAL_POINT_MINUTES = env.int("JOURNAL_POINT_MINUTES", default=10)
# Days each checkpoint is locked (S3 Object Lock, compliance mode) when the bucket has Object
# Lock enabled; 0: no retention asked (the bucket's default retention still applies).
JOURNAL_POINT_RETENTION_DAYS = env.int("JOURNAL_POINT_RETENTION_DAYS", default=0)

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "espace_sante.comptes",
    "espace_sante.journal",
    "espace_sante.coffre",
    "espace_sante.taches",
    "profil",
    "dossier",
    "professionnels",
    "messagerie",
    "proches",
    "agenda",
    "ensemble",
    "interop",
    "aide",
    "espace_sante.admin_apps.EspaceSanteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # FranceConnect / Pro Santé Connect (OpenID Connect): installed always, answering only when
    # configured by environment (docs/CONNEXION.md).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "dsfr",
    "django_htmx",
    "oauth2_provider",
    "widget_tweaks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "espace_sante.middleware.PasDeCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "espace_sante.middleware.LimiteCorpsMiddleware",  # before any process_view reads a body
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "espace_sante.comptes.middleware.SecondFactorRequiredMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "espace_sante.middleware.PanneBaseMiddleware",  # last: sees the views' exceptions first
]

ROOT_URLCONF = "espace_sante.urls"
WSGI_APPLICATION = "espace_sante.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "profil.context_processors.espace_courant",
                "professionnels.context_processors.professionnel_courant",
                "messagerie.context_processors.non_lus",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
DSFR_MARK_OPTIONAL_FIELDS = True

# --- Data --------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'espace_sante.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: write-ahead log (readers never wait for the in-process tasks'
    # writes), and write transactions that take their lock at once instead of failing later.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # PostgreSQL: parameters sent apart from the statement, and statements a connection has run
    # five times prepared on the server, so that PostgreSQL stops planning every page's repeated
    # statements (the access check's UNION took 0.5 ms to plan each time; bench/pages.py, the
    # Documents page against a bare view: 0.39 without, 0.46–0.49 with; docs/PERFORMANCE.md).
    # Prepared statements live in the server's session: behind a pooler in transaction mode,
    # set DATABASE_PREPARED_STATEMENTS=false (docs/DEPLOIEMENT.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A reused connection is checked (SELECT 1) before its first query of each request or task, and
# replaced if the database restarted meanwhile (docs/PLATFORM.md, "Pannes et reprise").
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "comptes.Utilisateur"

REDIS_URL = env.str("REDIS_URL", default="")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production (cache and Celery broker).")
if REDIS_URL:
    from espace_sante.lib.cache import configuration as cache_redis

    # Redis away: reads miss and writes are dropped, with a logged warning (never a 500), so
    # login and every page keep working and rate limits fail open (docs/TACHES.md).
    CACHES = {
        "default": cache_redis(
            REDIS_URL,
            prefixe=env.str("CACHE_KEY_PREFIX", default="es"),
            delai=env.float("CACHE_REDIS_DELAI", default=1.0),  # seconds to connect / answer
        )
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # the embedded default runs tasks in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A message a worker took and did not acknowledge (it was killed) goes back to the queue after
# this many seconds; a live worker keeps refreshing the ones it holds, however long they run
# (espace_sante.lib.taches.VisibiliteEntretenue). Restores are looked for every few seconds.
TACHES_VISIBILITE = env.int("TACHES_VISIBILITE_SECONDES", default=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TACHES_VISIBILITE,
    "unacked_restore_interval": max(1, min(10, TACHES_VISIBILITE // 4)),
    "unacked_restore_throttle": 1,
}
CELERY_DB_REUSE_MAX = 200
CELERY_TIMEZONE = "Europe/Paris"
_RELANCE = env.int("RELANCE_INTERVALLE_SECONDES", default=60)  # the sweep of work left waiting
# The outbox (espace_sante/taches, docs/TACHES.md): jobs recorded with their rows, sent after
# commit; those the broker could not take are sent by this sweep, every so many seconds.
TACHES_ENVOI_SECONDES = env.int("TACHES_ENVOI_SECONDES", default=10)
TACHES_CONSERVATION_JOURS = env.int("TACHES_CONSERVATION_JOURS", default=7)  # sent rows kept
# Publishing from a request: a short retry, then the job waits for the sweep (never a 500).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
_VAULT_GC_INTERVAL = env.int("VAULT_GC_INTERVAL_MINUTES", default=15)  # see VAULT_GC_GRACE
CELERY_BEAT_SCHEDULE = {
    "taches-en-attente": {
        "task": "espace_sante.taches.tasks.taches_envoyer_en_attente",
        "schedule": timedelta(seconds=TACHES_ENVOI_SECONDES),
        "options": {"expires": TACHES_ENVOI_SECONDES},  # a late run is dropped, not piled up
    },
    "fin-representation-majorite": {
        "task": "profil.tasks.representations_terminer_majorite",
        "schedule": timedelta(hours=6),
    },
    "documents-en-suspens": {
        "task": "dossier.tasks.documents_relancer_en_suspens",
        "schedule": timedelta(seconds=_RELANCE),
        "options": {"expires": _RELANCE},  # a late run is dropped, not piled up
    },
    "purge-documents-supprimes": {
        "task": "dossier.tasks.documents_purger_echus",
        "schedule": timedelta(hours=6),
    },
    "purge-exports-expires": {
        "task": "ensemble.tasks.exports_purger",
        "schedule": timedelta(hours=1),
    },
    "purge-espaces-echus": {
        "task": "profil.tasks.espaces_purger_echus",
        "schedule": timedelta(hours=24),
    },
    "coffre-orphelins": {
        "task": "espace_sante.coffre.tasks.orphelins_supprimer",
        # VAULT_GC_GRACE + this interval: an orphan is gone within 45 minutes by default.
        "schedule": timedelta(minutes=_VAULT_GC_INTERVAL),
        "options": {"expires": 60 * _VAULT_GC_INTERVAL},  # a late run is dropped, not piled up
    },
    "journal-point-de-controle": {
        "task": "espace_sante.journal.tasks.point_de_controle_ecrire",
        "schedule": timedelta(minutes=JOURNAL_POINT_MINUTES),
        "options": {"expires": 60 * JOURNAL_POINT_MINUTES},
    },
    "agenda-rappels": {
        "task": "agenda.tasks.rappels_planifier",
        "schedule": timedelta(seconds=env.int("AGENDA_PLANIFICATION_SECONDES", default=60)),
        "options": {"expires": 60},  # a late run is dropped, not piled up
    },
    "remboursements-synchro": {
        "task": "dossier.tasks.remboursements_synchroniser_tous",
        "schedule": timedelta(minutes=env.int("ASSURANCE_PLANIFICATION_MINUTES", default=15)),
    },
}

# --- Reimbursement history: the insurer's service (docs/REMBOURSEMENTS.md) ---------------------
# No URL: no sync (the embedded default; the demo starts its own simulator).
ASSURANCE_URL = env.str("ASSURANCE_URL", default="")
ASSURANCE_JETON = _secret("ASSURANCE_JETON")
ASSURANCE_DELAI = env.float("ASSURANCE_DELAI", default=10.0)  # seconds per request
ASSURANCE_LIMITE_PAGE = env.int("ASSURANCE_LIMITE_PAGE", default=200)  # lines per request
ASSURANCE_PAGES_PAR_TACHE = env.int("ASSURANCE_PAGES_PAR_TACHE", default=10)  # then requeued
ASSURANCE_DEBIT = env.float("ASSURANCE_DEBIT", default=20.0)  # requests/s, all workers together
ASSURANCE_RAFALE = env.int("ASSURANCE_RAFALE", default=10)
ASSURANCE_ATTENTE_MAX = env.float("ASSURANCE_ATTENTE_MAX", default=2.0)  # longer: retry later
ASSURANCE_DEBIT_CLE = env.str("ASSURANCE_DEBIT_CLE", default="espace-sante:assurance:debit")
ASSURANCE_ESSAIS_MAX = env.int("ASSURANCE_ESSAIS_MAX", default=8)
ASSURANCE_BACKOFF_BASE = env.float("ASSURANCE_BACKOFF_BASE", default=30.0)  # seconds
ASSURANCE_BACKOFF_MAX = env.float("ASSURANCE_BACKOFF_MAX", default=3600.0)
ASSURANCE_INTERVALLE = timedelta(hours=env.float("ASSURANCE_INTERVALLE_HEURES", default=24.0))
ASSURANCE_LOT_ESPACES = env.int("ASSURANCE_LOT_ESPACES", default=500)

# --- Accounts (django-allauth, with its MFA) ---------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accueil"
ACCOUNT_ADAPTER = "espace_sante.comptes.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Second factors (docs/CONNEXION.md): an authenticator app, passkeys (WebAuthn), recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Espace Santé"
MFA_RECOVERY_CODE_COUNT = 10
# A passkey alone lets in: it is a possession factor unlocked by the device's PIN or biometrics,
# which the server requires (user verification), so it is two factors in one gesture.
MFA_PASSKEY_LOGIN_ENABLED = env.bool("MFA_PASSKEY_LOGIN_ENABLED", default=True)
MFA_WEBAUTHN_USER_VERIFICATION = "required"
# http://localhost (development, tests) is not an HTTPS origin: accepted there only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION and env.bool(
    "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=True
)
ACCOUNT_FORMS = {"login": "espace_sante.comptes.connexion.ConnexionForm"}
# FranceConnect (patients) and Pro Santé Connect (professionals), OpenID Connect through
# allauth: each is offered only when its three variables are set (docs/CONNEXION.md).
SOCIALACCOUNT_ADAPTER = "espace_sante.acces.connexion_externe.AdaptateurConnexionExterne"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False


def _fournisseur_oidc(prefixe: str, identifiant: str, nom: str, scopes: list[str]) -> list[dict]:
    client_id = env.str(f"{prefixe}_CLIENT_ID", default="")
    secret = _secret(f"{prefixe}_SECRET")
    serveur = env.str(f"{prefixe}_SERVER_URL", default="")
    if not (client_id and secret and serveur):
        return []
    return [
        {
            "provider_id": identifiant,
            "name": nom,
            "client_id": client_id,
            "secret": secret,
            "settings": {
                "server_url": serveur,
                "scope": env.list(f"{prefixe}_SCOPES", default=scopes),
                "token_auth_method": "client_secret_post",
                "oauth_pkce_enabled": True,
            },
        }
    ]


def origines_oidc(fournisseurs: dict) -> list[str]:
    """The origins (scheme://host[:port]) of the configured OpenID Connect providers."""
    origines = []
    for appli in fournisseurs.get("openid_connect", {}).get("APPS", []):
        url = urlsplit(appli["settings"]["server_url"])
        origines.append(f"{url.scheme}://{url.netloc}")
    return origines


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            *_fournisseur_oidc(
                "FRANCECONNECT",
                "franceconnect",
                "FranceConnect",
                ["openid", "email", "given_name", "family_name", "birthdate", "gender"],
            ),
            *_fournisseur_oidc(
                "PROSANTECONNECT",
                "prosanteconnect",
                "Pro Santé Connect",
                ["openid", "scope_all"],
            ),
        ],
    }
}
# Failed logins (espace_sante/comptes/connexion.py): free tries per address and per account,
# then an exponential wait (seconds) up to a cap; remembered for CONNEXION_MEMOIRE seconds.
CONNEXION_ESSAIS_LIBRES = env.int("CONNEXION_ESSAIS_LIBRES", default=5)
CONNEXION_DELAI_BASE = env.float("CONNEXION_DELAI_BASE", default=2.0)
CONNEXION_DELAI_MAX = env.float("CONNEXION_DELAI_MAX", default=900.0)
CONNEXION_MEMOIRE = env.int("CONNEXION_MEMOIRE", default=24 * 3600)
# Professional sign-up: per address (IP) and per e-mail address typed.
PRO_INSCRIPTION_RATE_LIMIT = env.str("PRO_INSCRIPTION_RATE_LIMIT", default="10/h")
PRO_INSCRIPTION_RATE_LIMIT_EMAIL = env.str("PRO_INSCRIPTION_RATE_LIMIT_EMAIL", default="3/h")
# Where a professional whose RPPS is already claimed is asked to write.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support-professionnels@localhost")

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- The FHIR API for professionals' software (interop/, docs/API.md) -------------------------
# OAuth 2.0 by django-oauth-toolkit: authorization code with PKCE only (the server class knows
# no password, implicit or client-credentials grant), for software acting for a professional.
OAUTH2_PROVIDER = {
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.WebApplicationServer",
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "read": "Lire les documents des patients qui vous y autorisent",
        "deposit": "Déposer des documents dans leur espace santé",
    },
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("FHIR_JETON_DUREE_SECONDES", default=3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("FHIR_RENOUVELLEMENT_JOURS", default=30) * 86400,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    # RFC 9700 (OAuth 2.0 Security BCP) throughout: no implicit or password grant, no PKCE
    # "plain", tokens only in the Authorization header, the `iss` response parameter, tokens
    # stored hashed, a replayed refresh token revokes its family, exact redirect URIs.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    # https redirect URIs only in production; the embedded default also takes the loopback
    # http://127.0.0.1 of software installed on the workstation (RFC 8252), for development.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
}
# Named for the migrations that point to the application (interop.Logiciel): toolkit's own model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Calls per token (django-ratelimit's syntax); beyond, 429 with an OperationOutcome.
FHIR_RATE_LIMIT = env.str("FHIR_RATE_LIMIT", default="600/m")
# The messagerie (docs/MESSAGERIE.md): messages one person may send (flooding), and the
# attachments' limits (per file, per message, per thread).
# --- Agenda: the reminders' sendings (docs/AGENDA.md) ------------------------------------------
AGENDA_HORIZON_SECONDES = env.int("AGENDA_HORIZON_SECONDES", default=120)  # rows created ahead
AGENDA_RATTRAPAGE_HEURES = env.int("AGENDA_RATTRAPAGE_HEURES", default=6)  # later: skipped
AGENDA_BAIL_SECONDES = env.int("AGENDA_BAIL_SECONDES", default=300)  # a claim's lease
AGENDA_LOT = env.int("AGENDA_LOT", default=200)  # rows claimed at once, sent on one connection
AGENDA_MARQUAGE_PAR = env.int("AGENDA_MARQUAGE_PAR", default=1)  # e-mails between two marks
AGENDA_DUREE_TACHE_SECONDES = env.float("AGENDA_DUREE_TACHE_SECONDES", default=45.0)
AGENDA_TACHES_MAX = env.int("AGENDA_TACHES_MAX", default=8)  # batch tasks queued per tick
AGENDA_PLANIFICATION_TRANCHE = env.int("AGENDA_PLANIFICATION_TRANCHE", default=10_000)
# The reminders' mail backend (a relay of their own, say); empty: EMAIL_URL's.
AGENDA_EMAIL_BACKEND = env.str("AGENDA_EMAIL_BACKEND", default="")
AGENDA_DOMAINE_MESSAGE_ID = env.str("AGENDA_DOMAINE_MESSAGE_ID", default="rappels.espace-sante")

MESSAGERIE_RATE = env.str("MESSAGERIE_RATE", default="30/h")
MESSAGERIE_PIECES_PAR_MESSAGE = env.int("MESSAGERIE_PIECES_PAR_MESSAGE", default=5)
MESSAGERIE_TAILLE_PIECE = env.int("MESSAGERIE_TAILLE_PIECE", default=10 * 1024 * 1024)
MESSAGERIE_TAILLE_MESSAGE = env.int("MESSAGERIE_TAILLE_MESSAGE", default=20 * 1024 * 1024)
MESSAGERIE_TAILLE_FIL = env.int("MESSAGERIE_TAILLE_FIL", default=50 * 1024 * 1024)
FHIR_PAGE_MAX = env.int("FHIR_PAGE_MAX", default=100)  # DocumentReference entries per page

# --- The space's life (DESIGN.md §2) -----------------------------------------------------------
ACTIVATION_CODE_VALIDITY = timedelta(days=env.int("ACTIVATION_CODE_VALIDITY_DAYS", default=42))
ACTIVATION_MAX_ATTEMPTS = env.int("ACTIVATION_MAX_ATTEMPTS", default=5)
ACTIVATION_RATE_LIMIT = env.str("ACTIVATION_RATE_LIMIT", default="20/h")  # per address
ACTIVATION_RATE_LIMIT_INS = env.str("ACTIVATION_RATE_LIMIT_INS", default="10/h")  # per INS
ARCHIVE_RETENTION_YEARS = env.int("ARCHIVE_RETENTION_YEARS", default=10)
DELETION_DELAY = timedelta(days=env.int("DELETION_DELAY_DAYS", default=90))
AGE_MAJORITE = env.int("AGE_MAJORITE", default=18)
# How long an emergency access ("bris de glace", SAMU regulation) lasts.
URGENCE_DUREE_HEURES = env.int("URGENCE_DUREE_HEURES", default=4)

# --- "Télécharger toutes mes données" ----------------------------------------------------------
EXPORT_VALIDITE_JOURS = env.int("EXPORT_VALIDITE_JOURS", default=7)
# How recent a password or second-factor check must be to grant or block a professional.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=300)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_VIEW = "espace_sante.views.trop_de_requetes"
# Cache away: the throttles let requests through (with the cache's logged warning) rather than
# lock everyone out of login and activation; the password checks themselves still hold.
RATELIMIT_FAIL_OPEN = True

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
# The image collects them at build time into a folder of its own (docker/build.sh), outside the
# VAR_DIR volume; the embedded default keeps them under var/.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
STATICFILES_DIRS = [BASE_DIR / "static"]
# Cache-busted names (a hash in each file's name) and gzip copies, which WhiteNoise serves with
# a year's max-age ("immutable") and compressed: in production, and wherever STATIC_MANIFESTE is
# set (`make run`, bench/pages.py). It needs `collectstatic` first, so the tests keep the plain
# storage (tests/test_settings.py checks both).
STATIC_MANIFESTE = env.bool("STATIC_MANIFESTE", default=PRODUCTION)
if STATIC_MANIFESTE:
    # Served from STATIC_ROOT as collected (its gzip copies and hashed names), never from the
    # apps' folders as DEBUG would: `make run` collects them at start.
    WHITENOISE_USE_FINDERS = False
    WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # The encrypted objects on the filesystem (when no S3 bucket is named).
        "OPTIONS": {"location": env.str("BLOBS_DIR", default="") or str(VAR_DIR / "blobs")},
    },
    "staticfiles": {
        "BACKEND": (
            "espace_sante.lib.statiques.StatiquesCompresses"
            if STATIC_MANIFESTE
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

# S3-compatible object storage for the (encrypted) blobs, when a bucket is named.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": _secret("S3_ACCESS_KEY"),
            "secret_key": _secret("S3_SECRET_KEY"),
            "region_name": env.str("S3_REGION", default="us-east-1"),
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- E-mail (notifications carry no health data and no codes) ----------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Espace Santé <ne-pas-repondre@localhost>"
)

# --- Security ----------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION and TRUSTED_PROXY_COUNT > 0:
    # Only a configured reverse proxy may say the request came over HTTPS: without one, anyone
    # could send the header (client addresses follow the same rule, espace_sante/lib/http.py).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "form-action": [_SELF],
        "frame-src": [_SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "manifest-src": [_SELF],
    },
}
# The FranceConnect / Pro Santé Connect buttons post to us, and we redirect to the provider:
# browsers check that redirect against form-action too (docs/CONNEXION.md).
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += origines_oidc(SOCIALACCOUNT_PROVIDERS)

# --- Logging: structured, and never a health datum nor a code ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"masque": {"()": "espace_sante.lib.logging.MasqueDonneesSensibles"}},
    "formatters": {"simple": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "simple",
            "filters": ["masque"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DELETION_GRACE = timedelta(days=env.int("DELETION_GRACE_DAYS", default=30))

# --- Vault (docs/VAULT.md) ---------------------------------------------------------------------
VAULT_SEGMENT_SIZE = env.int("VAULT_SEGMENT_SIZE", default=1024 * 1024)
VAULT_MAX_UPLOAD = env.int("VAULT_MAX_UPLOAD", default=100 * 1024 * 1024)
VAULT_SPOOL_MEMORY = env.int("VAULT_SPOOL_MEMORY", default=8 * 1024 * 1024)
# An object is written before the transaction that creates its row (an upload is stored once the
# view has accepted it, previews and exports just before their row): younger than this, an object
# without a row may be one of those, so the periodic collection leaves it (docs/VAULT.md).
VAULT_GC_GRACE = timedelta(minutes=env.int("VAULT_GC_GRACE_MINUTES", default=30))
if env.str("VAULT_GC_GRACE_HOURS", default=""):
    raise ImproperlyConfigured(
        "VAULT_GC_GRACE_HOURS was replaced by VAULT_GC_GRACE_MINUTES (default 30): orphans must be "
        "collected within the hour."
    )
# Uploads: a URL that does not expect one keeps no byte of a file part (not even a temporary
# file); upload views switch to the vault's handler after their access check (docs/PLATFORM.md).
FILE_UPLOAD_HANDLERS = ["espace_sante.coffre.televersement.FichiersIgnores"]
# Any body longer than this is refused (413) before it is read, except on upload URLs, whose
# limit is VAULT_MAX_UPLOAD plus the multipart margin (espace_sante/middleware.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
