; expect: ok
!push = "pha : phx : phy"
!pull = "ply : plx : pla"
!text = "hello world"
org $008000
	!push
	!pull
	db "!text"
