; expect: ok
!addr = $10
!value = #$20
org $008000
	lda !addr
	lda !value
	lda [!addr],y
	sta !addr+1
