// Package django hashes passwords in Django's own formats, so that a Django app
// sharing the user collection accepts them in check_password:
// pbkdf2_sha256$<iterations>$<salt>$<hash>, argon2$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>
// and bcrypt_sha256$$2b$<cost>$<salt and hash>. Each verifies only the format it
// writes; any other stored hash is an error, never a match.
//
// djangotest runs Django itself to check these hashes and the Django-format links.
package django
