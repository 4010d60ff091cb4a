package mongo

// GuardID lets the tests name the guard of a password change, to plant one.
var GuardID = guardID

// Translate lets the tests check how server errors are told apart.
var Translate = translate
