package mongo

// Translate lets the tests check how server errors are told apart.
var Translate = translate
