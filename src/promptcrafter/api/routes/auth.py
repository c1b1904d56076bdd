"""/auth: signup, login, logout, password change, profile."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from promptcrafter import accounts
from promptcrafter.api.deps import ClientIP, CurrentUser, Svc
from promptcrafter.api.models import AccountDeleteIn, LoginIn, PasswordChangeIn, SignupIn
from promptcrafter.api.response_models import LoginOut, SignupOut, UserOut
from promptcrafter.api.responses import ORJSONResponse, user_body
from promptcrafter.api.routing import ContractRoute, documented_errors
from promptcrafter.clock import iso_ms

router = APIRouter(prefix="/auth", tags=["auth"], route_class=ContractRoute)

SIGNED_UP = "User account created successfully."


@router.post(
    "/signup",
    status_code=201,
    response_model=SignupOut,
    responses=documented_errors(400, 409, 413, 415, 429),
    summary="Create an account (also returns a token)",
)
async def signup(body: SignupIn, services: Svc, ip: ClientIP) -> Response:
    user, issued = await accounts.signup(services, body.name, body.email, body.password, ip)
    return ORJSONResponse(
        {"message": SIGNED_UP, "token": issued.token, "user": user_body(user)}, status_code=201
    )


@router.post(
    "/login",
    response_model=LoginOut,
    responses=documented_errors(400, 401, 413, 415, 429),
    summary="Exchange email and password for a bearer token",
)
async def login(body: LoginIn, services: Svc, ip: ClientIP) -> Response:
    issued = await accounts.login(services, body.email, body.password, ip)
    return ORJSONResponse(
        {
            "token": issued.token,
            "tokenType": "Bearer",
            "expiresAt": iso_ms(issued.expires_at * 1000),
        }
    )


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses=documented_errors(401),
    summary="End the presented token, on every worker",
)
async def logout(caller: CurrentUser, services: Svc) -> Response:
    await accounts.logout(services, caller.claims)
    return Response(status_code=204)


@router.post(
    "/password",
    status_code=204,
    response_class=Response,
    responses=documented_errors(400, 401, 403, 413, 415, 429),
    summary="Change the password; every token issued before stops working",
)
async def change_password(body: PasswordChangeIn, caller: CurrentUser, services: Svc) -> Response:
    await accounts.change_password(services, caller.user, body.currentPassword, body.newPassword)
    return Response(status_code=204)


@router.get(
    "/me",
    response_model=UserOut,
    responses=documented_errors(401),
    summary="The authenticated user's profile",
)
async def me(caller: CurrentUser) -> Response:
    return ORJSONResponse(user_body(caller.user))


@router.delete(
    "/me",
    status_code=204,
    response_class=Response,
    responses=documented_errors(400, 401, 403, 413, 415, 429),
    summary="Delete the account with all its prompts and logs (password required)",
)
async def delete_account(body: AccountDeleteIn, caller: CurrentUser, services: Svc) -> Response:
    await accounts.delete_account(services, caller.user, body.password)
    return Response(status_code=204)
