public enum Sandbox {}
