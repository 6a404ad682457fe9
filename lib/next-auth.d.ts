import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    portal?: { memberId?: string; host?: string };
    bitrixUserId?: number;
    isAdmin?: boolean;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    memberId?: string;
    portalHost?: string;
    bitrixUserId?: number;
    isAdmin?: boolean;
  }
}
