; expect: ok
; optimize address ram: $7E:0000-$1FFF labels become absolute in banks with RAM mirrors.
Timer = $7E0120
High = $7E2120
Io = $002100
optimize address ram
org $008000
	lda Timer
	lda High
	sta Io
optimize address default
	lda Timer
