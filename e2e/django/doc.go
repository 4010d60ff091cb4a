// Package django tests compatibility with Django itself (python3-django): links each
// side issues are accepted or refused by the other as django-rest-registration would.
package django
