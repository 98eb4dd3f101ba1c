; expect: ok
org $008000
'a' = $30
	db "a"
pushtable
'a' = $40
	db "a"
pulltable
	db "a"
cleartable
	db "a"
