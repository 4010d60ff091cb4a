package mongo

// GuardID lets the tests name the guard of a password change, to plant one.
var GuardID = guardID
