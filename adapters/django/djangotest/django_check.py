"""Answers pwreset's compatibility tests with Django's own public APIs.

Reads a JSON list of requests on standard input and writes a JSON list of answers,
one per request, on standard output. Each request names its "op":

  pickle          the bytes django-rest-registration signs for user_id and timestamp
                  (hex), with the expression DRR uses
  sign            django.core.signing.Signer(key=secret, salt=salt).signature(value)
  verify          whether a signature is valid under secret or one of fallbacks,
                  tried in Django's order (SECRET_KEY, then SECRET_KEY_FALLBACKS)
  make_password   django.contrib.auth.hashers.make_password with a named hasher
  check_password  django.contrib.auth.hashers.check_password
  validate        the messages of django.contrib.auth.password_validation's
                  validate_password for password and an auth.User with the given
                  username, first_name, last_name and email, under the validators
                  named in "validators" (default: Django's four default ones)
  libraries       which optional hasher libraries (argon2-cffi, bcrypt) import

Hashers run with the costs given in the request ("cost"), through subclasses listed
in PASSWORD_HASHERS, the way Django's documentation says to tune them.
"""
import json
import pickle
import sys

import django
from django.conf import settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    BCryptSHA256PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    make_password,
)
from django.core.signing import Signer
from django.utils.crypto import constant_time_compare


class CheapPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000


class CheapArgon2(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1


class CheapBCryptSHA256(BCryptSHA256PasswordHasher):
    rounds = 4


HASHERS = {
    "pbkdf2_sha256": CheapPBKDF2,
    "argon2": CheapArgon2,
    "bcrypt_sha256": CheapBCryptSHA256,
}

settings.configure(
    SECRET_KEY="unused: every signature names its key",
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    PASSWORD_HASHERS=["__main__." + cls.__name__ for cls in HASHERS.values()],
)
django.setup()


def dict_repr(req):
    # django-rest-registration's get_dict_repr, over the data of a link.
    data = {"user_id": req["user_id"], "timestamp": int(req["timestamp"])}
    return pickle.dumps(sorted((str(k), str(v)) for k, v in data.items()), 4)


def salt(req):
    if req.get("password_hash") is None:
        return "reset-password"
    return "reset-password:" + req["password_hash"]


def signature(req, key):
    return Signer(key=key, salt=salt(req)).signature(dict_repr(req))


DEFAULT_VALIDATORS = [
    "UserAttributeSimilarityValidator",
    "MinimumLengthValidator",
    "CommonPasswordValidator",
    "NumericPasswordValidator",
]


def validate(req):
    # Imported once Django is set up: the User model needs its apps loaded.
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import (
        get_password_validators,
        validate_password,
    )
    from django.core.exceptions import ValidationError

    names = req.get("validators") or DEFAULT_VALIDATORS
    validators = get_password_validators(
        [{"NAME": "django.contrib.auth.password_validation." + n} for n in names])
    u = req.get("user") or {}
    user = User(username=u.get("username", ""), first_name=u.get("first_name", ""),
                last_name=u.get("last_name", ""), email=u.get("email", ""))
    try:
        validate_password(req["password"], user=user, password_validators=validators)
    except ValidationError as e:
        return {"messages": list(e.messages)}
    return {"messages": []}


def answer(req):
    op = req["op"]
    if op == "pickle":
        return {"hex": dict_repr(req).hex()}
    if op == "sign":
        return {"signature": signature(req, req["secret"])}
    if op == "verify":
        keys = [req["secret"]] + req.get("fallbacks", [])
        ok = any(constant_time_compare(req["signature"], signature(req, k)) for k in keys)
        return {"valid": ok}
    if op == "make_password":
        cost = req.get("cost")
        cls = HASHERS[req["hasher"]]
        if cost:
            for name, value in cost.items():
                setattr(cls, name, value)
        return {"encoded": make_password(req["password"], hasher=req["hasher"])}
    if op == "check_password":
        return {"valid": check_password(req["password"], req["encoded"])}
    if op == "validate":
        return validate(req)
    if op == "libraries":
        found = {}
        for name in ("argon2", "bcrypt"):
            try:
                __import__(name)
                found[name] = True
            except ImportError:
                found[name] = False
        return {"libraries": found, "django": django.get_version()}
    raise ValueError("unknown op %r" % op)


def main():
    answers = []
    for req in json.load(sys.stdin):
        try:
            answers.append(answer(req))
        except Exception as e:  # reported to the Go test, which fails with it
            answers.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
