; expect: ok
; spcblock wraps SPC700 code in an N-SPC upload block (length, address, data).
org $008000
spcblock $0400 nspc
	mov a,#$01
Entry:
	mov $f4,a
endspcblock execute Entry
