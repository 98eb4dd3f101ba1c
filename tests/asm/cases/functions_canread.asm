; expect: ok
; rom: lorom-1m
org $009000
	db canread1($008000), canread2($1FFFFE), canread4($1FFFFE)
	db canread1($7E0000)
	db canread1($208000)
