; expect: ok
org $008000
	db stringsequal("abc", "abc"), stringsequal("abc", "ABC")
	db stringsequalnocase("abc", "ABC")
