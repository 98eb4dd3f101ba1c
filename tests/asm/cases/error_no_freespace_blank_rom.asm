; expect: error Eno_freespace
; A blank ROM has no free space to find.
freecode
Code:
	rtl
