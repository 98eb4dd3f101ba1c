; expect: error Eunknown_command
; A space *before* a comma splits the statement into extra words: asar rejects it.
org $008000
	db $01 ,$02
