"""The FHIR API for professionals' software (IHE MHD as profiled by the DMP's PDSm guide,
docs/API.md): OAuth 2.0 (django-oauth-toolkit, authorization code + PKCE) for software acting
for a logged-in professional, and the FHIR R4 endpoints — ITI-65 deposit, ITI-67 find, ITI-68
retrieve, patient lookup by INS and the CapabilityStatement. It sits on top of every app: a
call goes through the same access package, services and journal as the web pages."""
